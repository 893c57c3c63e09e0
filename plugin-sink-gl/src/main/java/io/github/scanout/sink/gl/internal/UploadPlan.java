package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.DrmFormat;
import java.util.Map;
import java.util.Set;
import org.lwjgl.opengl.GL11;
import org.lwjgl.opengl.GL30;

/**
 * How the bytes of one DRM format go into a GL texture without a CPU conversion, and what the
 * shader does with them.
 *
 * <p>8-bit formats are uploaded as plain bytes: XRGB8888 as GL_RGBA / GL_UNSIGNED_BYTE (its
 * bytes are B, G, R, X in memory) with red and blue swapped back in the shader, because the
 * GL_BGRA upload is 5 to 10 times slower on llvmpipe. RGB565 and the 2-10-10-10 formats are
 * uploaded as unsigned integers (one per pixel) and unpacked in the shader with exactly the
 * canonical conversion of {@link io.github.scanout.api.pixels.PixelConverter} (bit replication for
 * 5 and 6 bits, {@code (v * 255 + 511) / 1023} for 10 bits): GL's own normalisation of packed
 * types rounds differently for some values, and the picture must match the CPU sinks'. Packed
 * YUV goes through PixelConverter on the CPU.
 *
 * @param internalFormat the texture's sized internal format
 * @param format the upload's pixel format
 * @param type the upload's pixel type
 * @param bytesPerPixel bytes per pixel in the source rows
 * @param mode what the shader does with a texel: {@link #NORMALIZED}, {@link #RGB565} or {@link #RGB30}
 * @param swapRb whether the shader swaps red and blue
 * @param opaque whether the shader forces alpha to 1 (X formats)
 */
record UploadPlan(int internalFormat, int format, int type, int bytesPerPixel, int mode, boolean swapRb, boolean opaque) {

    /** Normalised RGBA texels. */
    static final int NORMALIZED = 0;
    /** One unsigned 16-bit RGB565 value per texel (integer texture). */
    static final int RGB565 = 1;
    /** One unsigned 32-bit 2-10-10-10 value per texel, red (or blue) in the top 10 bits (integer texture). */
    static final int RGB30 = 2;

    /** The plan for CPU-converted rows: 0xAARRGGBB ints, little-endian, so B, G, R, A bytes. */
    static final UploadPlan CONVERTED_ARGB = new UploadPlan(GL11.GL_RGBA8, GL11.GL_RGBA, GL11.GL_UNSIGNED_BYTE, 4,
            NORMALIZED, true, false);

    private static final Map<DrmFormat, UploadPlan> DIRECT = Map.of(
            DrmFormat.XRGB8888, bytes(4, true, true),
            DrmFormat.ARGB8888, bytes(4, true, false),
            DrmFormat.XBGR8888, bytes(4, false, true),
            DrmFormat.ABGR8888, bytes(4, false, false),
            DrmFormat.RGB888, bytes(3, true, true),
            DrmFormat.BGR888, bytes(3, false, true),
            DrmFormat.RGB565, new UploadPlan(GL30.GL_R16UI, GL30.GL_RED_INTEGER, GL11.GL_UNSIGNED_SHORT, 2, RGB565, false, true),
            DrmFormat.XRGB2101010, new UploadPlan(GL30.GL_R32UI, GL30.GL_RED_INTEGER, GL11.GL_UNSIGNED_INT, 4, RGB30, false,
                    true),
            DrmFormat.XBGR2101010, new UploadPlan(GL30.GL_R32UI, GL30.GL_RED_INTEGER, GL11.GL_UNSIGNED_INT, 4, RGB30, true,
                    true));

    private static UploadPlan bytes(int bpp, boolean swap, boolean opaque) {
        return bpp == 4
                ? new UploadPlan(GL11.GL_RGBA8, GL11.GL_RGBA, GL11.GL_UNSIGNED_BYTE, 4, NORMALIZED, swap, opaque)
                : new UploadPlan(GL11.GL_RGB8, GL11.GL_RGB, GL11.GL_UNSIGNED_BYTE, 3, NORMALIZED, swap, opaque);
    }

    /** The direct plan for a format, or null when its rows must be converted on the CPU. */
    static UploadPlan direct(DrmFormat format) {
        return DIRECT.get(format);
    }

    /** Formats uploaded as they are (converted in the shader, if at all). */
    static Set<DrmFormat> directFormats() {
        return DIRECT.keySet();
    }

    /** Whether the texture holds unsigned integers (sampled with nearest filtering only). */
    boolean integer() {
        return mode != NORMALIZED;
    }
}
