package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.sim.fixture.SimFixture;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.lwjgl.opengl.GL11;
import org.lwjgl.opengl.GL12;

/**
 * A fake EGL import layer over real GL: it records every attribute list, can be told to fail,
 * and "imports" the way a GPU driver would, by reading the dma-buf's memory as the attributes
 * describe it (fd, offset, pitch, fourcc, modifier; X/Y-tiled memory is detiled) and giving the
 * bound texture those pixels. A wrong attribute gives a wrong picture, so tests that compare
 * pixels also check the attributes. What it does not show: that a real driver accepts the fd.
 *
 * <p>Threads: GL thread for bind; records are synchronised for assertions from the test thread.
 */
final class FakeEgl implements EglImportApi {

    /** Reads dma-buf memory by fd, as a driver's DMA would (the sim refuses user-space mmap). */
    interface Memory {
        ByteBuffer read(int fd, long offset, int length) throws Exception;
    }

    private final Set<String> extensions;
    private final Memory memory;
    private final List<int[]> attributeLists = new ArrayList<>();
    private final Map<Long, int[]> live = new HashMap<>();
    private final Set<Long> destroyed = new HashSet<>();
    private long nextImage = 0x1000;
    private int failWith;
    private int lastError = 0x3000;
    private Optional<List<SupportedModifier>> modifiers = Optional.empty();

    FakeEgl(Set<String> extensions, Memory memory) {
        this.extensions = Set.copyOf(extensions);
        this.memory = memory;
    }

    static FakeEgl withModifiers(Memory memory) {
        return new FakeEgl(Set.of(DmaBufAttributes.IMPORT, DmaBufAttributes.IMPORT_MODIFIERS), memory);
    }

    /** Every later createDmaBufImage fails with this EGL error (0: succeed again). */
    synchronized void failWith(int eglError) {
        failWith = eglError;
    }

    synchronized void listModifiers(List<SupportedModifier> list) {
        modifiers = Optional.of(List.copyOf(list));
    }

    synchronized List<int[]> attributeLists() {
        return List.copyOf(attributeLists);
    }

    synchronized int created() {
        return attributeLists.size() - (int) attributeLists.stream().filter(a -> a == null).count();
    }

    /** Images created and not destroyed. */
    synchronized int liveImages() {
        return live.size();
    }

    synchronized int destroyedImages() {
        return destroyed.size();
    }

    @Override
    public Set<String> displayExtensions() {
        return extensions;
    }

    @Override
    public boolean glCanBindImages() {
        return true;
    }

    @Override
    public synchronized long createDmaBufImage(int[] attributes) {
        attributeLists.add(attributes.clone());
        if (failWith != 0) {
            lastError = failWith;
            return 0;
        }
        long image = nextImage++;
        live.put(image, attributes.clone());
        return image;
    }

    @Override
    public synchronized int lastError() {
        return lastError;
    }

    @Override
    public synchronized void destroyImage(long image) {
        if (live.remove(image) == null) {
            throw new AssertionError("eglDestroyImage of an image that is not live: " + image);
        }
        destroyed.add(image);
    }

    @Override
    public Optional<List<SupportedModifier>> modifiers(int fourcc) {
        synchronized (this) {
            return modifiers;
        }
    }

    /** Attribute value for a key, or null. */
    static Integer value(int[] attributes, int key) {
        for (int i = 0; i + 1 < attributes.length && attributes[i] != DmaBufAttributes.EGL_NONE; i += 2) {
            if (attributes[i] == key) {
                return attributes[i + 1];
            }
        }
        return null;
    }

    @Override
    public void bindToTexture2D(long image) {
        int[] a;
        synchronized (this) {
            a = live.get(image);
        }
        if (a == null) {
            throw new AssertionError("bind of an unknown image " + image);
        }
        int w = value(a, DmaBufAttributes.EGL_WIDTH);
        int h = value(a, DmaBufAttributes.EGL_HEIGHT);
        DrmFormat format = new DrmFormat(value(a, DmaBufAttributes.EGL_LINUX_DRM_FOURCC_EXT));
        int fd = value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_FD_EXT);
        int offset = value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_OFFSET_EXT);
        int pitch = value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_PITCH_EXT);
        Integer lo = value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT);
        Integer hi = value(a, DmaBufAttributes.EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT);
        Modifier modifier = lo == null ? Modifier.LINEAR : new Modifier(((long) hi << 32) | (lo & 0xffffffffL));
        PlaneInfo tiled = GlTestSupport.plane(format, modifier, w, h, pitch, PlaneType.PRIMARY);
        ByteBuffer bytes;
        try {
            bytes = memory.read(fd, offset, Math.toIntExact(tiled.requiredBytes()));
        } catch (Exception e) {
            throw new AssertionError("fake import could not read fd " + fd + ": " + e, e);
        }
        ByteBuffer linear = detile(tiled, bytes);
        int[] argb = PixelConverter.toArgb(GlTestSupport.plane(format, w, h, Math.toIntExact(PlaneInfo.rowBytes(format, w))),
                linear);
        ByteBuffer upload = ByteBuffer.allocateDirect(argb.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        upload.asIntBuffer().put(argb);
        GL11.glPixelStorei(GL11.GL_UNPACK_ALIGNMENT, 1);
        GL11.glTexImage2D(GL11.GL_TEXTURE_2D, 0, GL11.GL_RGBA8, w, h, 0, GL12.GL_BGRA, GL11.GL_UNSIGNED_BYTE, upload);
    }

    /** Linear rows (tightly packed) of a possibly tiled plane, as the GPU's sampler sees them. */
    static ByteBuffer detile(PlaneInfo p, ByteBuffer src) {
        int rowBytes = Math.toIntExact(p.rowBytes());
        ByteBuffer out = ByteBuffer.allocate(rowBytes * p.height()).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < p.height(); y++) {
            for (int x = 0; x < rowBytes; x++) {
                out.put(y * rowBytes + x, src.get(Math.toIntExact(SimFixture.tiledOffset(p.modifier(), p.stride(), x, y))));
            }
        }
        return out;
    }
}
