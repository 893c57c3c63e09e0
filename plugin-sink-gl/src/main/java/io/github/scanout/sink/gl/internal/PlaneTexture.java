package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.pixels.PixelConverter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import org.lwjgl.opengl.GL11;
import org.lwjgl.opengl.GL12;
import org.lwjgl.system.MemoryUtil;

/**
 * One GL texture that CPU-readable planes are uploaded into (the upload path). The texture is
 * reallocated only when size or internal format change; otherwise rows go in with
 * {@code glTexSubImage2D}, with GL_UNPACK_ROW_LENGTH covering the stride (row by row when the
 * stride is not a whole number of pixels). Heap buffers and CPU conversions go through a
 * direct staging buffer; mapped memory is uploaded from where it is.
 *
 * <p>Threads: the GL thread.
 */
final class PlaneTexture implements AutoCloseable {
    private final int texture;
    private int width;
    private int height;
    private int internalFormat;
    private UploadPlan plan;
    private ByteBuffer staging;
    private int[] row = new int[0];

    PlaneTexture() {
        texture = GL11.glGenTextures();
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, texture);
        GlTextures.nearestClamped();
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, 0);
    }

    int texture() {
        return texture;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** How the shader must read the texture (swap, opaque), valid after an upload. */
    UploadPlan plan() {
        return plan;
    }

    /** Whether this plane can be uploaded at all (linear layout and a format Scanout can show). */
    static String refusal(PlaneInfo info) {
        if (!info.modifier().isLinear()) {
            return "buffer is tiled (" + info.modifier() + ") and CPU-readable: the upload path takes linear buffers only";
        }
        if (!PixelConverter.isSupported(info.format())) {
            return "format " + info.format() + " cannot be shown (no palette / unknown)";
        }
        return null;
    }

    /**
     * Uploads the plane's pixels.
     *
     * @param info the plane
     * @param pixels its bytes from index 0 (a lease's {@code pixels()} view)
     * @throws IllegalArgumentException when {@link #refusal} says no
     */
    void upload(PlaneInfo info, ByteBuffer pixels) {
        String no = refusal(info);
        if (no != null) {
            throw new IllegalArgumentException(no);
        }
        UploadPlan direct = UploadPlan.direct(info.format());
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, texture);
        GL11.glPixelStorei(GL11.GL_UNPACK_ALIGNMENT, 1);
        if (direct != null) {
            uploadDirect(info, pixels, direct);
        } else {
            uploadConverted(info, pixels);
        }
        GL11.glPixelStorei(GL12.GL_UNPACK_ROW_LENGTH, 0);
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, 0);
    }

    private void allocate(int w, int h, UploadPlan p) {
        if (w != width || h != height || p.internalFormat() != internalFormat) {
            GL11.glTexImage2D(GL11.GL_TEXTURE_2D, 0, p.internalFormat(), w, h, 0, p.format(), p.type(), (ByteBuffer) null);
            width = w;
            height = h;
            internalFormat = p.internalFormat();
        }
        plan = p;
    }

    private void uploadDirect(PlaneInfo info, ByteBuffer pixels, UploadPlan p) {
        allocate(info.width(), info.height(), p);
        int stride = info.stride();
        long rowBytes = info.rowBytes();
        ByteBuffer src = pixels;
        if (!src.isDirect()) {
            // LWJGL passes addresses: heap memory must be copied out first
            int n = Math.toIntExact(info.requiredBytes());
            ByteBuffer s = staging(n);
            ByteBuffer dup = pixels.duplicate();
            dup.position(0).limit(n);
            s.put(dup).flip();
            src = s;
        }
        long base = MemoryUtil.memAddress(src, 0);
        if (stride % p.bytesPerPixel() == 0) {
            GL11.glPixelStorei(GL12.GL_UNPACK_ROW_LENGTH, stride / p.bytesPerPixel());
            GL11.nglTexSubImage2D(GL11.GL_TEXTURE_2D, 0, 0, 0, info.width(), info.height(), p.format(), p.type(), base);
        } else {
            GL11.glPixelStorei(GL12.GL_UNPACK_ROW_LENGTH, 0);
            for (int y = 0; y < info.height(); y++) {
                checkRange(src, (long) y * stride, rowBytes);
                GL11.nglTexSubImage2D(GL11.GL_TEXTURE_2D, 0, 0, y, info.width(), 1, p.format(), p.type(),
                        base + (long) y * stride);
            }
        }
    }

    private static void checkRange(ByteBuffer b, long offset, long length) {
        if (offset + length > b.capacity()) {
            throw new IndexOutOfBoundsException("row at " + offset + " (+" + length + ") is outside the buffer of "
                    + b.capacity() + " bytes");
        }
    }

    private void uploadConverted(PlaneInfo info, ByteBuffer pixels) {
        UploadPlan p = UploadPlan.CONVERTED_ARGB;
        allocate(info.width(), info.height(), p);
        int w = info.width();
        if (row.length < w) {
            row = new int[w];
        }
        ByteBuffer s = staging(Math.multiplyExact(Math.multiplyExact(w, info.height()), 4));
        IntBuffer ints = s.asIntBuffer();
        for (int y = 0; y < info.height(); y++) {
            PixelConverter.convertRow(info, pixels, y, row, 0);
            ints.put(row, 0, w);
        }
        GL11.glPixelStorei(GL12.GL_UNPACK_ROW_LENGTH, 0);
        GL11.nglTexSubImage2D(GL11.GL_TEXTURE_2D, 0, 0, 0, w, info.height(), p.format(), p.type(), MemoryUtil.memAddress(s, 0));
    }

    /** Uploads 0xAARRGGBB pixels (the placeholder, CPU-made images). */
    void uploadArgb(int[] argb, int w, int h) {
        UploadPlan p = UploadPlan.CONVERTED_ARGB;
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, texture);
        GL11.glPixelStorei(GL11.GL_UNPACK_ALIGNMENT, 1);
        GL11.glPixelStorei(GL12.GL_UNPACK_ROW_LENGTH, 0);
        allocate(w, h, p);
        ByteBuffer s = staging(Math.multiplyExact(Math.multiplyExact(w, h), 4));
        s.asIntBuffer().put(argb, 0, w * h);
        GL11.nglTexSubImage2D(GL11.GL_TEXTURE_2D, 0, 0, 0, w, h, p.format(), p.type(), MemoryUtil.memAddress(s, 0));
        GL11.glBindTexture(GL11.GL_TEXTURE_2D, 0);
    }

    private ByteBuffer staging(int bytes) {
        if (staging == null || staging.capacity() < bytes) {
            staging = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        staging.clear();
        staging.limit(bytes);
        return staging;
    }

    @Override
    public void close() {
        GL11.glDeleteTextures(texture);
        staging = null;
    }
}
