package io.github.scanout.core.testing;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A tiny fake dma-buf vGPU for core's own tests (the real models live in the sim module): it
 * answers the few ioctls a {@code GfxDevice} makes with the kernel's struct layouts, written out
 * here by hand so they check core's codecs rather than reuse them. Fds are fake numbers.
 */
public final class FakeVgpu implements Kernel, DeviceEndpoint {

    public static final int DEVICE_FD = 1000;

    private final String name;
    private final Set<Integer> open = new HashSet<>();
    private final List<String> calls = new ArrayList<>();
    private int nextFd = 2000;
    /** Queries of the primary plane left to answer with ENOMEM (mbochs does this after a mode change). */
    public int enomemQueries;
    /** Whether GET_INFO fails (to test open failure paths). */
    public boolean failGetInfo;
    public int width = 640;
    public int height = 480;

    public FakeVgpu(String name) {
        this.name = name;
    }

    /** A provider of one scheme whose every spec names this device. */
    public DeviceProvider provider(String scheme) {
        FakeVgpu self = this;
        return new DeviceProvider() {
            @Override
            public String scheme() {
                return scheme;
            }

            @Override
            public DeviceEndpoint resolve(String spec) throws DeviceException {
                if (spec.contains("bad")) {
                    throw new DeviceException("fake provider: no device called " + spec);
                }
                if (spec.contains("boom")) {
                    throw new IllegalStateException("boom");
                }
                return self;
            }
        };
    }

    public synchronized Set<Integer> openFds() {
        return Set.copyOf(open);
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized OpenDevice open(Kernel host) {
        open.add(DEVICE_FD);
        return new OpenDevice(this, DEVICE_FD);
    }

    private void requireOpen(int fd) throws DeviceException {
        if (!open.contains(fd)) {
            throw new DeviceException("fake: fd " + fd, Errno.EBADF.number());
        }
    }

    @Override
    public int open(String path, int flags) throws DeviceException {
        throw new DeviceException("fake: open " + path, Errno.ENOENT.number());
    }

    @Override
    public synchronized void close(int fd) throws DeviceException {
        calls.add("close " + fd);
        requireOpen(fd);
        open.remove(fd);
    }

    @Override
    public synchronized int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
        requireOpen(fd);
        calls.add("ioctl " + Long.toHexString(request));
        ByteBuffer b = arg == null ? null : arg.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (fd != DEVICE_FD) {
            if (request == Linux.DMA_BUF_IOCTL_SYNC) {
                return 0;
            }
            throw new DeviceException("fake dma-buf ioctl", Errno.ENOTTY.number());
        }
        if (request == Vfio.DEVICE_GET_INFO) {
            if (failGetInfo || b.getInt(0) < 16) {
                throw new DeviceException("fake GET_INFO", Errno.EINVAL.number());
            }
            b.putInt(4, Vfio.DEVICE_FLAGS_PCI | Vfio.DEVICE_FLAGS_RESET); // flags
            b.putInt(8, 3); // num_regions
            b.putInt(12, 0); // num_irqs
            return 0;
        }
        if (request == Vfio.DEVICE_QUERY_GFX_PLANE) {
            if (b.getInt(0) < 60) {
                throw new DeviceException("fake QUERY", Errno.EINVAL.number());
            }
            int flags = b.getInt(4);
            if ((flags & Vfio.GFX_PLANE_TYPE_PROBE) != 0) {
                if (flags == (Vfio.GFX_PLANE_TYPE_PROBE | Vfio.GFX_PLANE_TYPE_DMABUF)) {
                    return 0;
                }
                throw new DeviceException("fake probe", Errno.EINVAL.number());
            }
            if (flags != Vfio.GFX_PLANE_TYPE_DMABUF) {
                throw new DeviceException("fake query", Errno.EINVAL.number());
            }
            if (b.getInt(8) != 1) {
                // not the primary: "disabled", mbochs style
                for (int i = 12; i < 60; i++) {
                    b.put(i, (byte) 0);
                }
                return 0;
            }
            if (enomemQueries > 0) {
                enomemQueries--;
                throw new DeviceException("fake query", Errno.ENOMEM.number());
            }
            b.putInt(12, 0x34325258); // XR24
            b.putLong(16, 0); // linear
            b.putInt(24, width);
            b.putInt(28, height);
            b.putInt(32, width * 4);
            b.putInt(36, width * 4 * height);
            b.putInt(56, 1); // dmabuf_id
            return 0;
        }
        if (request == Vfio.DEVICE_GET_GFX_DMABUF) {
            if (b.getInt(0) != 1) {
                throw new DeviceException("fake GET_GFX_DMABUF", Errno.ENOENT.number());
            }
            int dmaFd = nextFd++;
            open.add(dmaFd);
            return dmaFd;
        }
        throw new DeviceException("fake ioctl " + Long.toHexString(request), Errno.EINVAL.number());
    }

    @Override
    public synchronized int ioctl(int fd, long request, long value) throws DeviceException {
        requireOpen(fd);
        calls.add("ioctl " + Long.toHexString(request) + " " + value);
        if (fd == DEVICE_FD && request == Vfio.DEVICE_RESET) {
            return 0;
        }
        throw new DeviceException("fake ioctl", Errno.EINVAL.number());
    }

    @Override
    public synchronized long lseek(int fd, long offset, int whence) throws DeviceException {
        requireOpen(fd);
        if (fd != DEVICE_FD && whence == Linux.SEEK_END) {
            return (long) width * 4 * height;
        }
        throw new DeviceException("fake lseek", Errno.ESPIPE.number());
    }

    @Override
    public synchronized int fcntl(int fd, int cmd, int arg) throws DeviceException {
        requireOpen(fd);
        calls.add("fcntl " + fd + " " + cmd + " " + arg);
        return 0;
    }

    @Override
    public synchronized int dup(int fd) throws DeviceException {
        requireOpen(fd);
        int copy = nextFd++;
        open.add(copy);
        return copy;
    }

    @Override
    public int pread(int fd, ByteBuffer dst, long offset) throws DeviceException {
        throw new DeviceException("fake pread", Errno.EINVAL.number());
    }

    @Override
    public int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException {
        throw new DeviceException("fake pwrite", Errno.EINVAL.number());
    }

    @Override
    public int memfdCreate(String memfdName, int flags) throws DeviceException {
        throw new DeviceException("fake memfd", Errno.ENOSYS.number());
    }

    @Override
    public void ftruncate(int fd, long length) throws DeviceException {
        throw new DeviceException("fake ftruncate", Errno.EINVAL.number());
    }

    @Override
    public Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException {
        throw new DeviceException("fake mmap", Errno.ENODEV.number());
    }

    @Override
    public void munmap(Mapping mapping) throws DeviceException {
        throw new DeviceException("fake munmap", Errno.EINVAL.number());
    }
}
