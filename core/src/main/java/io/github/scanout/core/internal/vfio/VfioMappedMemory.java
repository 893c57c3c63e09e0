package io.github.scanout.core.internal.vfio;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Mapping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A mapping of device region memory or of a dma-buf, owned by its holder. {@link #view} is
 * always read-only; a mapping made read-write (a test playing the guest) also offers
 * {@link #writableView}. Views must not be used after {@link #close()}: the memory is gone and
 * touching it would crash the JVM, which is why there is no garbage-collection safety net that
 * could unmap under a live view.
 *
 * <p>Threads: views may be taken on any thread; close once, when no view is in use.
 */
public final class VfioMappedMemory implements MappedMemory {

    private static final System.Logger LOG = System.getLogger(VfioMappedMemory.class.getName());

    private final Kernel kernel;
    private final Mapping mapping;
    private final boolean writable;
    private final String label;
    private final AtomicBoolean closed = new AtomicBoolean();

    VfioMappedMemory(Kernel kernel, Mapping mapping, boolean writable, String label) {
        this.kernel = kernel;
        this.mapping = mapping;
        this.writable = writable;
        this.label = label;
    }

    @Override
    public long size() {
        return mapping.length();
    }

    @Override
    public ByteBuffer view(long offset, int length) {
        return checkedView(offset, length).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A writable little-endian view; only for mappings made with
     * {@link VfioGfxDevice#mapRegionReadWrite(int)}.
     *
     * @throws IllegalStateException when the mapping is read-only or closed
     */
    public ByteBuffer writableView(long offset, int length) {
        if (!writable) {
            throw new IllegalStateException(label + " is mapped read-only");
        }
        ByteBuffer b = checkedView(offset, length);
        if (b.isReadOnly()) {
            throw new IllegalStateException(label + ": the kernel returned a read-only view of a read-write mapping");
        }
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer checkedView(long offset, int length) {
        if (closed.get()) {
            throw new IllegalStateException(label + " is unmapped");
        }
        long size = mapping.length();
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new IndexOutOfBoundsException("view of " + length + " bytes at offset " + offset + " does not lie inside "
                    + label + " (" + size + " bytes)");
        }
        return mapping.view(offset, length);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                kernel.munmap(mapping);
            } catch (DeviceException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "unmapping " + label + " failed: " + e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return label + " (" + size() + " bytes" + (writable ? ", rw" : "") + (closed.get() ? ", unmapped)" : ")");
    }
}
