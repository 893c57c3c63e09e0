package io.github.scanout.sink.gl.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.lwjgl.opengl.GL11;
import org.lwjgl.opengl.GL12;
import org.lwjgl.opengl.GL30;
import org.lwjgl.system.MemoryUtil;

/**
 * An offscreen framebuffer with one color texture: the headless render target, and where the
 * importer draws before reading back.
 *
 * <p>Threads: the GL thread.
 */
final class Fbo implements AutoCloseable {
    private final int framebuffer;
    private final int color;
    private int width;
    private int height;
    private int internalFormat;
    private ByteBuffer readback;

    Fbo() {
        framebuffer = GL30.glGenFramebuffers();
        color = GL11.glGenTextures();
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** Sizes the color buffer (reallocating only on change) and binds the framebuffer. */
    void bind(int w, int h, int format) {
        if (w != width || h != height || format != internalFormat) {
            GL11.glBindTexture(GL11.GL_TEXTURE_2D, color);
            GlTextures.nearestClamped();
            GL11.glTexImage2D(GL11.GL_TEXTURE_2D, 0, format, w, h, 0, GL11.GL_RGBA,
                    format == GL11.GL_RGB10_A2 ? GL12.GL_UNSIGNED_INT_2_10_10_10_REV : GL11.GL_UNSIGNED_BYTE,
                    (ByteBuffer) null);
            GL11.glBindTexture(GL11.GL_TEXTURE_2D, 0);
            GL30.glBindFramebuffer(GL30.GL_FRAMEBUFFER, framebuffer);
            GL30.glFramebufferTexture2D(GL30.GL_FRAMEBUFFER, GL30.GL_COLOR_ATTACHMENT0, GL11.GL_TEXTURE_2D, color, 0);
            int status = GL30.glCheckFramebufferStatus(GL30.GL_FRAMEBUFFER);
            if (status != GL30.GL_FRAMEBUFFER_COMPLETE) {
                throw new IllegalStateException("framebuffer " + w + "x" + h + " is incomplete: 0x" + Integer.toHexString(status));
            }
            width = w;
            height = h;
            internalFormat = format;
        }
        GL30.glBindFramebuffer(GL30.GL_FRAMEBUFFER, framebuffer);
        GL11.glViewport(0, 0, w, h);
    }

    /**
     * Reads the bound framebuffer into {@code dst} top row first (GL's row 0 is the bottom), with
     * rows {@code dstStride} bytes apart.
     *
     * @param format GL pixel format of the readback, for example GL_BGRA
     * @param type GL pixel type, for example GL_UNSIGNED_BYTE
     * @param bytesPerPixel bytes one pixel takes in that format and type
     */
    void read(int format, int type, int bytesPerPixel, ByteBuffer dst, int dstStride) {
        int rowBytes = width * bytesPerPixel;
        int total = Math.multiplyExact(rowBytes, height);
        if (readback == null || readback.capacity() < total) {
            readback = ByteBuffer.allocateDirect(total).order(ByteOrder.LITTLE_ENDIAN);
        }
        GL11.glPixelStorei(GL11.GL_PACK_ALIGNMENT, 1);
        GL11.glReadBuffer(GL30.GL_COLOR_ATTACHMENT0);
        GL11.nglReadPixels(0, 0, width, height, format, type, MemoryUtil.memAddress(readback, 0));
        for (int y = 0; y < height; y++) {
            ByteBuffer src = readback.duplicate();
            int from = (height - 1 - y) * rowBytes;
            src.position(from).limit(from + rowBytes);
            ByteBuffer d = dst.duplicate();
            d.position(y * dstStride);
            d.put(src);
        }
    }

    /** The bound framebuffer as 0xAARRGGBB ints, top row first (tests, snapshots). */
    int[] readArgb() {
        GL11.glReadBuffer(GL30.GL_COLOR_ATTACHMENT0);
        return readArgb(width, height);
    }

    /**
     * The current read buffer's {@code w x h} pixels from the bottom-left corner as 0xAARRGGBB
     * ints, top row first (a window's GL_BACK before the swap, or an FBO).
     */
    static int[] readArgb(int w, int h) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.multiplyExact(Math.multiplyExact(w, h), 4)).order(ByteOrder.LITTLE_ENDIAN);
        GL11.glPixelStorei(GL11.GL_PACK_ALIGNMENT, 1);
        GL11.nglReadPixels(0, 0, w, h, GL12.GL_BGRA, GL11.GL_UNSIGNED_BYTE, MemoryUtil.memAddress(b, 0));
        int[] bottomUp = new int[w * h];
        b.asIntBuffer().get(bottomUp);
        int[] out = new int[w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(bottomUp, (h - 1 - y) * w, out, y * w, w);
        }
        return out;
    }

    static void unbind() {
        GL30.glBindFramebuffer(GL30.GL_FRAMEBUFFER, 0);
    }

    @Override
    public void close() {
        GL30.glDeleteFramebuffers(framebuffer);
        GL11.glDeleteTextures(color);
        readback = null;
    }
}
