package io.github.scanout.sink.gl.internal;

import org.lwjgl.opengl.GL11;
import org.lwjgl.opengl.GL13;
import org.lwjgl.opengl.GL14;
import org.lwjgl.opengl.GL20;
import org.lwjgl.opengl.GL30;

/**
 * Draws one textured rectangle: the only shader the sink has. The quad is generated from
 * {@code gl_VertexID} (no vertex buffer); the texture's row 0 is the top of the rectangle (frames
 * are stored top row first). The fragment shader applies the format's red/blue swap and forces
 * alpha to 1 for X formats, so XRGB8888 can be uploaded as plain RGBA bytes.
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

    static final String FRAGMENT = """
            #version 330 core
            uniform sampler2D u_tex;   // unit 0: normalised texels
            uniform usampler2D u_utex; // unit 1: packed pixels as unsigned integers
            uniform int u_mode;        // 0 normalised, 1 RGB565, 2 2-10-10-10
            uniform int u_swap_rb;
            uniform int u_opaque;
            in vec2 v_uv;
            out vec4 o_color;
            void main() {
                vec4 c;
                if (u_mode == 1) {
                    uint v = texture(u_utex, v_uv).r;
                    uint r = (v >> 11) & 31u;
                    uint g = (v >> 5) & 63u;
                    uint b = v & 31u;
                    c = vec4(float((r << 3) | (r >> 2)), float((g << 2) | (g >> 4)), float((b << 3) | (b >> 2)), 255.0) / 255.0;
                } else if (u_mode == 2) {
                    uint v = texture(u_utex, v_uv).r;
                    uint hi = (v >> 20) & 1023u;
                    uint mid = (v >> 10) & 1023u;
                    uint lo = v & 1023u;
                    c = vec4(float((hi * 255u + 511u) / 1023u), float((mid * 255u + 511u) / 1023u),
                            float((lo * 255u + 511u) / 1023u), 255.0) / 255.0;
                } else {
                    c = texture(u_tex, v_uv);
                }
                if (u_swap_rb != 0) {
                    c = c.bgra;
                }
                if (u_opaque != 0) {
                    c.a = 1.0;
                }
                o_color = c;
            }
            """;

    private final int program;
    private final int vao;
    private final int rect;
    private final int swapRb;
    private final int opaque;
    private final int mode;

    QuadProgram() {
        int vs = compile(GL20.GL_VERTEX_SHADER, VERTEX);
        int fs = compile(GL20.GL_FRAGMENT_SHADER, FRAGMENT);
        program = GL20.glCreateProgram();
        GL20.glAttachShader(program, vs);
        GL20.glAttachShader(program, fs);
        GL20.glLinkProgram(program);
        GL20.glDeleteShader(vs);
        GL20.glDeleteShader(fs);
        if (GL20.glGetProgrami(program, GL20.GL_LINK_STATUS) == GL11.GL_FALSE) {
            String log = GL20.glGetProgramInfoLog(program);
            GL20.glDeleteProgram(program);
            throw new IllegalStateException("linking the quad program failed: " + log);
        }
        rect = GL20.glGetUniformLocation(program, "u_rect");
        swapRb = GL20.glGetUniformLocation(program, "u_swap_rb");
        opaque = GL20.glGetUniformLocation(program, "u_opaque");
        mode = GL20.glGetUniformLocation(program, "u_mode");
        GL20.glUseProgram(program);
        GL20.glUniform1i(GL20.glGetUniformLocation(program, "u_tex"), 0);
        GL20.glUniform1i(GL20.glGetUniformLocation(program, "u_utex"), 1);
        GL20.glUseProgram(0);
        vao = GL30.glGenVertexArrays();
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
     * @param linear linear filtering (scaled views) instead of nearest (1:1, exact); integer
     *     textures are always sampled nearest
     * @param blend alpha-blend over what is there ("source over", straight alpha)
     */
    void draw(int texture, int texelMode, Rect target, int fbWidth, int fbHeight, boolean swap, boolean forceOpaque,
            boolean linear, boolean blend) {
        GL20.glUseProgram(program);
        GL30.glBindVertexArray(vao);
        boolean integer = texelMode != UploadPlan.NORMALIZED;
        GL13.glActiveTexture(integer ? GL13.GL_TEXTURE1 : GL13.GL_TEXTURE0);
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, texture);
        int filter = linear && !integer ? GL11.GL_LINEAR : GL11.GL_NEAREST;
        GL11.glTexParameteri(GL11.GL_TEXTURE_2D, GL11.GL_TEXTURE_MIN_FILTER, filter);
        GL11.glTexParameteri(GL11.GL_TEXTURE_2D, GL11.GL_TEXTURE_MAG_FILTER, filter);
        float x0 = (float) (2.0 * target.x() / fbWidth - 1.0);
        float x1 = (float) (2.0 * (target.x() + target.width()) / fbWidth - 1.0);
        float yTop = (float) (1.0 - 2.0 * target.y() / fbHeight);
        float yBottom = (float) (1.0 - 2.0 * (target.y() + target.height()) / fbHeight);
        GL20.glUniform4f(rect, x0, yBottom, x1, yTop);
        GL20.glUniform1i(swapRb, swap ? 1 : 0);
        GL20.glUniform1i(opaque, forceOpaque ? 1 : 0);
        GL20.glUniform1i(mode, texelMode);
        if (blend) {
            GL11.glEnable(GL11.GL_BLEND);
            GL14.glBlendFuncSeparate(GL11.GL_SRC_ALPHA, GL11.GL_ONE_MINUS_SRC_ALPHA, GL11.GL_ONE,
                    GL11.GL_ONE_MINUS_SRC_ALPHA);
        } else {
            GL11.glDisable(GL11.GL_BLEND);
        }
        GL11.glDrawArrays(GL11.GL_TRIANGLE_STRIP, 0, 4);
        GL11.glDisable(GL11.GL_BLEND);
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, 0);
        GL13.glActiveTexture(GL13.GL_TEXTURE0);
        GL30.glBindVertexArray(0);
        GL20.glUseProgram(0);
    }

    @Override
    public void close() {
        GL30.glDeleteVertexArrays(vao);
        GL20.glDeleteProgram(program);
    }
}
