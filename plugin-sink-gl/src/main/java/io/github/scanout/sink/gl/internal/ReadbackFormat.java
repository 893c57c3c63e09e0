package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.DrmFormat;
import java.util.Map;
import org.lwjgl.opengl.GL11;
import org.lwjgl.opengl.GL12;

/**
 * How to read a drawn plane back in its own DRM format: the glReadPixels format and type whose
 * memory layout is the DRM one (desktop GL converts on readback), and the framebuffer precision
 * that keeps every bit (RGB10_A2 for the 10-bit formats).
 *
 * @param format glReadPixels format
 * @param type glReadPixels type
 * @param bytesPerPixel bytes per pixel in the result
 * @param framebuffer the FBO's internal format
 */
record ReadbackFormat(int format, int type, int bytesPerPixel, int framebuffer) {

    private static final Map<DrmFormat, ReadbackFormat> TABLE = Map.of(
            DrmFormat.XRGB8888, new ReadbackFormat(GL12.GL_BGRA, GL11.GL_UNSIGNED_BYTE, 4, GL11.GL_RGBA8),
            DrmFormat.ARGB8888, new ReadbackFormat(GL12.GL_BGRA, GL11.GL_UNSIGNED_BYTE, 4, GL11.GL_RGBA8),
            DrmFormat.XBGR8888, new ReadbackFormat(GL11.GL_RGBA, GL11.GL_UNSIGNED_BYTE, 4, GL11.GL_RGBA8),
            DrmFormat.ABGR8888, new ReadbackFormat(GL11.GL_RGBA, GL11.GL_UNSIGNED_BYTE, 4, GL11.GL_RGBA8),
            DrmFormat.RGB888, new ReadbackFormat(GL12.GL_BGR, GL11.GL_UNSIGNED_BYTE, 3, GL11.GL_RGBA8),
            DrmFormat.BGR888, new ReadbackFormat(GL11.GL_RGB, GL11.GL_UNSIGNED_BYTE, 3, GL11.GL_RGBA8),
            DrmFormat.RGB565, new ReadbackFormat(GL11.GL_RGB, GL12.GL_UNSIGNED_SHORT_5_6_5, 2, GL11.GL_RGBA8),
            DrmFormat.XRGB2101010, new ReadbackFormat(GL12.GL_BGRA, GL12.GL_UNSIGNED_INT_2_10_10_10_REV, 4,
                    GL11.GL_RGB10_A2),
            DrmFormat.XBGR2101010, new ReadbackFormat(GL11.GL_RGBA, GL12.GL_UNSIGNED_INT_2_10_10_10_REV, 4,
                    GL11.GL_RGB10_A2));

    /** The readback for a format, or null when it has none (packed YUV). */
    static ReadbackFormat of(DrmFormat format) {
        return TABLE.get(format);
    }
}
