package io.github.scanout.sink.gl.internal;

import org.lwjgl.opengl.GL11;
import org.lwjgl.opengl.GL12;
import org.lwjgl.opengl.GL13;
import org.lwjgl.opengl.GL14;
import org.lwjgl.opengl.GL20;
import org.lwjgl.opengl.GL30;
import org.lwjgl.opengl.GL33;

/**
 * Draws one textured rectangle. The quad is generated from {@code gl_VertexID} (no vertex
 * buffer); the texture's row 0 is the top of the rectangle (frames are stored top row first).
 * The fragment shader applies the format's red/blue swap and forces alpha to 1 for X formats,
 * so XRGB8888 can be uploaded as plain RGBA bytes; packed formats uploaded as integers are
 * unpacked with the canonical conversion.
 *
 * <p>One program per texel mode ({@link UploadPlan#NORMALIZED}, {@code RGB565}, {@code RGB30}),
 * each compiled with only its own sampling code: a software renderer (llvmpipe) runs both sides
 * of a branch under a mask, so a shared shader would cost the hot XRGB8888 path a second texture
 * fetch. Swap and opaque are selects, not branches.
 *
 * <p>Threads: the GL thread.
 */
final class QuadProgram implements AutoCloseable {

    static final String VERTEX = """
            #version 330 core
            uniform vec4 u_rect; // x0, y0 (bottom left), x1, y1 (top right), in NDC
            out vec2 v_uv;
            void main() {
                vec2 c = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
                gl_Position = vec4(mix(u_rect.xy, u_rect.zw, c), 0.0, 1.0);
                v_uv = vec2(c.x, 1.0 - c.y);
            }
            """;

    /** The fragment shader for one texel mode. */
    static String fragment(int mode) {
        String fetch = switch (mode) {
            case UploadPlan.NORMALIZED -> """
                    uniform sampler2D u_tex;
                    vec4 fetch() {
                        return texture(u_tex, v_uv);
                    }
                    """;
            case UploadPlan.RGB565 -> """
                    uniform usampler2D u_tex;
                    vec4 fetch() {
                        uint v = texture(u_tex, v_uv).r;
                        uint r = (v >> 11) & 31u;
                        uint g = (v >> 5) & 63u;
                        uint b = v & 31u;
                        return vec4(float((r << 3) | (r >> 2)), float((g << 2) | (g >> 4)), float((b << 3) | (b >> 2)),
                                255.0) / 255.0;
                    }
                    """;
            case UploadPlan.RGB30 -> """
                    uniform usampler2D u_tex;
                    vec4 fetch() {
                        uint v = texture(u_tex, v_uv).r;
                        uint hi = (v >> 20) & 1023u;
                        uint mid = (v >> 10) & 1023u;
                        uint lo = v & 1023u;
                        return vec4(float((hi * 255u + 511u) / 1023u), float((mid * 255u + 511u) / 1023u),
                                float((lo * 255u + 511u) / 1023u), 255.0) / 255.0;
                    }
                    """;
            default -> throw new IllegalArgumentException("texel mode " + mode);
        };
        return "#version 330 core\nin vec2 v_uv;\nout vec4 o_color;\nuniform float u_swap_rb;\nuniform float u_opaque;\n"
                + fetch + """
                void main() {
                    vec4 c = fetch();
                    c = mix(c, c.bgra, u_swap_rb);
                    c.a = mix(c.a, 1.0, u_opaque);
                    o_color = c;
                }
                """;
    }

    /** One linked program and its uniform locations. */
    private static final class Variant {
        final int program;
        final int rect;
        final int swapRb;
        final int opaque;

        Variant(int mode) {
            int vs = compile(GL20.GL_VERTEX_SHADER, VERTEX);
            int fs = compile(GL20.GL_FRAGMENT_SHADER, fragment(mode));
            program = GL20.glCreateProgram();
            GL20.glAttachShader(program, vs);
            GL20.glAttachShader(program, fs);
            GL20.glLinkProgram(program);
            GL20.glDeleteShader(vs);
            GL20.glDeleteShader(fs);
            if (GL20.glGetProgrami(program, GL20.GL_LINK_STATUS) == GL11.GL_FALSE) {
                String log = GL20.glGetProgramInfoLog(program);
                GL20.glDeleteProgram(program);
                throw new IllegalStateException("linking the quad program (texel mode " + mode + ") failed: " + log);
            }
            rect = GL20.glGetUniformLocation(program, "u_rect");
            swapRb = GL20.glGetUniformLocation(program, "u_swap_rb");
            opaque = GL20.glGetUniformLocation(program, "u_opaque");
            GL20.glUseProgram(program);
            GL20.glUniform1i(GL20.glGetUniformLocation(program, "u_tex"), 0);
            GL20.glUseProgram(0);
        }
    }

    private final Variant[] variants = new Variant[3];
    private final int vao;
    private final int nearest;
    private final int linear;

    QuadProgram() {
        variants[UploadPlan.NORMALIZED] = new Variant(UploadPlan.NORMALIZED);
        variants[UploadPlan.RGB565] = new Variant(UploadPlan.RGB565);
        variants[UploadPlan.RGB30] = new Variant(UploadPlan.RGB30);
        vao = GL30.glGenVertexArrays();
        // sampler objects carry the filtering, so textures are never re-parameterised per draw
        nearest = sampler(GL11.GL_NEAREST);
        linear = sampler(GL11.GL_LINEAR);
    }

    private static int sampler(int filter) {
        int s = GL33.glGenSamplers();
        GL33.glSamplerParameteri(s, GL11.GL_TEXTURE_MIN_FILTER, filter);
        GL33.glSamplerParameteri(s, GL11.GL_TEXTURE_MAG_FILTER, filter);
        GL33.glSamplerParameteri(s, GL11.GL_TEXTURE_WRAP_S, GL12.GL_CLAMP_TO_EDGE);
        GL33.glSamplerParameteri(s, GL11.GL_TEXTURE_WRAP_T, GL12.GL_CLAMP_TO_EDGE);
        return s;
    }

    private static int compile(int type, String source) {
        int s = GL20.glCreateShader(type);
        GL20.glShaderSource(s, source);
        GL20.glCompileShader(s);
        if (GL20.glGetShaderi(s, GL20.GL_COMPILE_STATUS) == GL11.GL_FALSE) {
            String log = GL20.glGetShaderInfoLog(s);
            GL20.glDeleteShader(s);
            throw new IllegalStateException("compiling the " + (type == GL20.GL_VERTEX_SHADER ? "vertex" : "fragment")
                    + " shader failed: " + log);
        }
        return s;
    }

    /**
     * Draws a texture into a rectangle of the current viewport.
     *
     * @param texelMode {@link UploadPlan#NORMALIZED}, {@link UploadPlan#RGB565} or {@link UploadPlan#RGB30}
     * @param target where, in pixels of a {@code fbWidth x fbHeight} framebuffer, y down from the top
     * @param smooth linear filtering (scaled views) instead of nearest (1:1, exact); integer
     *     textures are always sampled nearest
     * @param blend alpha-blend over what is there ("source over", straight alpha)
     */
    void draw(int texture, int texelMode, Rect target, int fbWidth, int fbHeight, boolean swap, boolean forceOpaque,
            boolean smooth, boolean blend) {
        Variant v = variants[texelMode];
        GL20.glUseProgram(v.program);
        GL30.glBindVertexArray(vao);
        GL13.glActiveTexture(GL13.GL_TEXTURE0);
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, texture);
        GL33.glBindSampler(0, smooth && texelMode == UploadPlan.NORMALIZED ? this.linear : nearest);
        float x0 = (float) (2.0 * target.x() / fbWidth - 1.0);
        float x1 = (float) (2.0 * (target.x() + target.width()) / fbWidth - 1.0);
        float yTop = (float) (1.0 - 2.0 * target.y() / fbHeight);
        float yBottom = (float) (1.0 - 2.0 * (target.y() + target.height()) / fbHeight);
        GL20.glUniform4f(v.rect, x0, yBottom, x1, yTop);
        GL20.glUniform1f(v.swapRb, swap ? 1f : 0f);
        GL20.glUniform1f(v.opaque, forceOpaque ? 1f : 0f);
        if (blend) {
            GL11.glEnable(GL11.GL_BLEND);
            GL14.glBlendFuncSeparate(GL11.GL_SRC_ALPHA, GL11.GL_ONE_MINUS_SRC_ALPHA, GL11.GL_ONE,
                    GL11.GL_ONE_MINUS_SRC_ALPHA);
        }
        GL11.glDrawArrays(GL11.GL_TRIANGLE_STRIP, 0, 4);
        if (blend) {
            GL11.glDisable(GL11.GL_BLEND);
        }
    }

    @Override
    public void close() {
        GL30.glDeleteVertexArrays(vao);
        GL33.glDeleteSamplers(nearest);
        GL33.glDeleteSamplers(linear);
        for (Variant v : variants) {
            GL20.glDeleteProgram(v.program);
        }
    }
}
