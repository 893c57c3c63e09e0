package io.github.scanout.bench;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.List;
import org.lwjgl.egl.EGL;
import org.lwjgl.egl.EGL10;
import org.lwjgl.egl.EGL12;
import org.lwjgl.opengl.GL;
import org.lwjgl.opengl.GL11;
import org.lwjgl.opengl.GL20;
import org.lwjgl.opengl.GL30;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.FunctionProvider;
import org.lwjgl.system.JNI;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * The baseline for {@link GlUploadBenchmark}: the same work written as a bare LWJGL loop on the
 * calling thread, with nothing of Scanout's: headless EGL (surfaceless), one RGBA8 texture, one
 * FBO of the frame's size, a shader that samples and swaps red and blue (as XRGB8888 needs), and
 * per frame {@code glTexSubImage2D} of the whole frame, one full-screen draw and {@code glFinish}.
 *
 * <p>Threads: the thread that created it, only.
 */
final class BareLwjglLoop implements AutoCloseable {
    private final long display;
    private final long context;
    private final int width;
    private final int height;
    private final int texture;
    private final int fbo;
    private final int color;
    private final int program;
    private final int vao;

    BareLwjglLoop(int width, int height) {
        this.width = width;
        this.height = height;
        Configuration.OPENGL_EXPLICIT_INIT.set(true);
        String client = EGL10.eglQueryString(0, 0x3055); // EGL_EXTENSIONS of EGL_NO_DISPLAY
        List<String> ext = Arrays.asList(client == null ? new String[0] : client.split(" "));
        if (!ext.contains("EGL_MESA_platform_surfaceless")) {
            throw new IllegalStateException("EGL_MESA_platform_surfaceless is not offered: " + client);
        }
        long getPlatformDisplay = EGL10.eglGetProcAddress("eglGetPlatformDisplayEXT");
        display = JNI.invokePPP(0x31DD, 0L, 0L, getPlatformDisplay); // EGL_PLATFORM_SURFACELESS_MESA
        if (display == 0 || !EGL10.eglInitialize(display, (int[]) null, (int[]) null)) {
            throw new IllegalStateException("eglInitialize failed: 0x" + Integer.toHexString(EGL10.eglGetError()));
        }
        EGL12.eglBindAPI(0x30A2); // EGL_OPENGL_API
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer attribs = s.ints(0x3098, 3, 0x30FB, 3, 0x30FD, 1, 0x3038); // GL 3.3 core
            context = JNI.callPPPPP(display, 0L, 0L, MemoryUtil.memAddress(attribs), EGL.getCapabilities().eglCreateContext);
        }
        if (context == 0 || !EGL10.eglMakeCurrent(display, 0L, 0L, context)) {
            throw new IllegalStateException("no GL 3.3 core context: 0x" + Integer.toHexString(EGL10.eglGetError()));
        }
        try {
            GL.create((FunctionProvider) EGL10::eglGetProcAddress);
        } catch (IllegalStateException alreadyCreated) {
            // another state in this JVM created it
        }
        GL.createCapabilities();

        texture = GL11.glGenTextures();
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, texture);
        GL11.glTexParameteri(GL11.GL_TEXTURE_2D, GL11.GL_TEXTURE_MIN_FILTER, GL11.GL_NEAREST);
        GL11.glTexParameteri(GL11.GL_TEXTURE_2D, GL11.GL_TEXTURE_MAG_FILTER, GL11.GL_NEAREST);
        GL11.glTexImage2D(GL11.GL_TEXTURE_2D, 0, GL11.GL_RGBA8, width, height, 0, GL11.GL_RGBA, GL11.GL_UNSIGNED_BYTE,
                (ByteBuffer) null);
        color = GL11.glGenTextures();
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, color);
        GL11.glTexImage2D(GL11.GL_TEXTURE_2D, 0, GL11.GL_RGBA8, width, height, 0, GL11.GL_RGBA, GL11.GL_UNSIGNED_BYTE,
                (ByteBuffer) null);
        fbo = GL30.glGenFramebuffers();
        GL30.glBindFramebuffer(GL30.GL_FRAMEBUFFER, fbo);
        GL30.glFramebufferTexture2D(GL30.GL_FRAMEBUFFER, GL30.GL_COLOR_ATTACHMENT0, GL11.GL_TEXTURE_2D, color, 0);
        GL11.glViewport(0, 0, width, height);

        int vs = shader(GL20.GL_VERTEX_SHADER, "#version 330 core\nout vec2 uv;\nvoid main() {\n"
                + "  vec2 c = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));\n"
                + "  gl_Position = vec4(c * 2.0 - 1.0, 0.0, 1.0); uv = vec2(c.x, 1.0 - c.y);\n}\n");
        int fs = shader(GL20.GL_FRAGMENT_SHADER, "#version 330 core\nuniform sampler2D t; in vec2 uv; out vec4 o;\n"
                + "void main() { o = texture(t, uv).bgra; }\n");
        program = GL20.glCreateProgram();
        GL20.glAttachShader(program, vs);
        GL20.glAttachShader(program, fs);
        GL20.glLinkProgram(program);
        GL20.glUseProgram(program);
        vao = GL30.glGenVertexArrays();
        GL30.glBindVertexArray(vao);
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, texture);
        GL11.glPixelStorei(GL11.GL_UNPACK_ALIGNMENT, 1);
    }

    private static int shader(int type, String src) {
        int s = GL20.glCreateShader(type);
        GL20.glShaderSource(s, src);
        GL20.glCompileShader(s);
        if (GL20.glGetShaderi(s, GL20.GL_COMPILE_STATUS) == 0) {
            throw new IllegalStateException(GL20.glGetShaderInfoLog(s));
        }
        return s;
    }

    /** One frame: upload, draw, finish. {@code pixels} must be direct, width x height x 4 bytes. */
    void frame(ByteBuffer pixels) {
        GL11.glTexSubImage2D(GL11.GL_TEXTURE_2D, 0, 0, 0, width, height, GL11.GL_RGBA, GL11.GL_UNSIGNED_BYTE, pixels);
        GL11.glDrawArrays(GL11.GL_TRIANGLE_STRIP, 0, 4);
        GL11.glFinish();
    }

    @Override
    public void close() {
        GL30.glDeleteVertexArrays(vao);
        GL20.glDeleteProgram(program);
        GL30.glDeleteFramebuffers(fbo);
        GL11.glDeleteTextures(new int[] {texture, color});
        EGL10.eglMakeCurrent(display, 0L, 0L, 0L);
        EGL10.eglDestroyContext(display, context);
    }
}
