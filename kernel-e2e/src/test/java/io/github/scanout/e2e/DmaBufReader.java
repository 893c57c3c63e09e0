package io.github.scanout.e2e;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.core.fixture.CoreFixture;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the bytes of a dma-buf the CPU may not map. On the kernel it goes through the test-only
 * importer module (kernel-e2e/importer: attach, map the attachment, copy the pages out), as a
 * GPU driver would; in the sim it lets the model allow a mapping and reads through that.
 */
final class DmaBufReader implements AutoCloseable {
    /** {@code _IOW('S', 1, struct scanout_import_copy)}. */
    static final long SCANOUT_IMPORT_COPY = 0x40205301L;

    private DmaBufReader() {
        if (!Target.real()) {
            // mbochs exports read-only: whether a dma-buf may be mapped is fixed when it is
            // exported, so the sim must allow it before the test gets the buffer.
            Target.simMbochs().allowDmaBufMmap(true);
        }
    }

    /** A reader for the current target; open it before the dma-bufs it will read are exported. */
    static DmaBufReader forTarget() {
        return new DmaBufReader();
    }

    ByteBuffer read(DmaBuf buf, int length) throws DeviceException {
        return Target.real() ? viaImporter(buf.fd(), length) : viaSimMapping(buf, length);
    }

    @Override
    public void close() {
        if (!Target.real()) {
            Target.simMbochs().allowDmaBufMmap(false);
        }
    }

    private static ByteBuffer viaImporter(int dmabufFd, int length) throws DeviceException {
        Kernel k = CoreFixture.hostKernel();
        int importer = k.open("/dev/scanout_import", Linux.O_RDWR | Linux.O_CLOEXEC);
        int mem = -1;
        Mapping dst = null;
        try {
            mem = k.memfdCreate("e2e-import", Linux.MFD_CLOEXEC);
            k.ftruncate(mem, length);
            dst = k.mmap(length, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, mem, 0);
            ByteBuffer req = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            req.putInt(0, dmabufFd).putLong(8, 0).putLong(16, length).putLong(24, dst.address());
            int copied = k.ioctl(importer, SCANOUT_IMPORT_COPY, req);
            if (copied != length) {
                throw new DeviceException("importer copied " + copied + " of " + length + " bytes");
            }
            ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            out.put(dst.view(0, length)).flip();
            return out;
        } finally {
            if (dst != null) {
                k.munmap(dst);
            }
            if (mem >= 0) {
                k.close(mem);
            }
            k.close(importer);
        }
    }

    private static ByteBuffer viaSimMapping(DmaBuf buf, int length) throws DeviceException {
        try (MappedMemory m = buf.mapReadOnly()) {
            ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            out.put(m.view(0, length)).flip();
            return out;
        }
    }
}
