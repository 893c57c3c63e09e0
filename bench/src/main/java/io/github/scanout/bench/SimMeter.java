package io.github.scanout.bench;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Mapping;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the simulator allocates on the pipeline's own threads, so that {@code alloc_bytes_per_frame}
 * counts Scanout's bytes only. The simulated device answers its ioctls in Java on the calling thread
 * (the capture thread), and a benchmark's guest may draw on the sink's thread; a real device's
 * kernel allocates nothing on the JVM's heap. Each call into the simulator's kernel ({@link #wrap})
 * and each guest drawing ({@link #run}) is measured with the thread's own allocation counter
 * ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}, which allocates nothing itself) and added up
 * when it ran on a pipeline thread ({@code scanout-capture-*}, {@code scanout-sink-*}).
 *
 * <p>Threads: any.
 */
final class SimMeter {
    private SimMeter() {}

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final LongAdder ON_PIPELINE_THREADS = new LongAdder();

    /** {@return the bytes the simulator has allocated on pipeline threads so far} */
    static long pipelineThreadBytes() {
        return ON_PIPELINE_THREADS.sum();
    }

    private static boolean pipelineThread() {
        String n = Thread.currentThread().getName();
        return n.startsWith("scanout-capture-") || n.startsWith("scanout-sink-");
    }

    private static long start() {
        return MX.getCurrentThreadAllocatedBytes();
    }

    private static void end(long start) {
        if (pipelineThread()) {
            ON_PIPELINE_THREADS.add(MX.getCurrentThreadAllocatedBytes() - start);
        }
    }

    /** Runs a guest's drawing, measured. */
    static void run(Runnable guest) {
        long s = start();
        try {
            guest.run();
        } finally {
            end(s);
        }
    }

    /** The device, its kernel measured. */
    static DeviceEndpoint wrap(DeviceEndpoint device) {
        return new DeviceEndpoint() {
            @Override
            public String name() {
                return device.name();
            }

            @Override
            public OpenDevice open(Kernel host) throws DeviceException {
                OpenDevice d = device.open(host);
                return new OpenDevice(new Metered(d.kernel()), d.fd(), d.gone());
            }
        };
    }

    /** A kernel whose every call is measured. */
    private record Metered(Kernel k) implements Kernel {
        @Override
        public int open(String path, int flags) throws DeviceException {
            long s = start();
            try {
                return k.open(path, flags);
            } finally {
                end(s);
            }
        }

        @Override
        public void close(int fd) throws DeviceException {
            long s = start();
            try {
                k.close(fd);
            } finally {
                end(s);
            }
        }

        @Override
        public int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
            long s = start();
            try {
                return k.ioctl(fd, request, arg);
            } finally {
                end(s);
            }
        }

        @Override
        public int ioctl(int fd, long request, long value) throws DeviceException {
            long s = start();
            try {
                return k.ioctl(fd, request, value);
            } finally {
                end(s);
            }
        }

        @Override
        public int pread(int fd, ByteBuffer dst, long offset) throws DeviceException {
            long s = start();
            try {
                return k.pread(fd, dst, offset);
            } finally {
                end(s);
            }
        }

        @Override
        public int pwrite(int fd, ByteBuffer src, long offset) throws DeviceException {
            long s = start();
            try {
                return k.pwrite(fd, src, offset);
            } finally {
                end(s);
            }
        }

        @Override
        public long lseek(int fd, long offset, int whence) throws DeviceException {
            long s = start();
            try {
                return k.lseek(fd, offset, whence);
            } finally {
                end(s);
            }
        }

        @Override
        public int fcntl(int fd, int cmd, int arg) throws DeviceException {
            long s = start();
            try {
                return k.fcntl(fd, cmd, arg);
            } finally {
                end(s);
            }
        }

        @Override
        public int dup(int fd) throws DeviceException {
            long s = start();
            try {
                return k.dup(fd);
            } finally {
                end(s);
            }
        }

        @Override
        public int memfdCreate(String name, int flags) throws DeviceException {
            long s = start();
            try {
                return k.memfdCreate(name, flags);
            } finally {
                end(s);
            }
        }

        @Override
        public void ftruncate(int fd, long length) throws DeviceException {
            long s = start();
            try {
                k.ftruncate(fd, length);
            } finally {
                end(s);
            }
        }

        @Override
        public Mapping mmap(long length, int prot, int flags, int fd, long offset) throws DeviceException {
            long s = start();
            try {
                return k.mmap(length, prot, flags, fd, offset);
            } finally {
                end(s);
            }
        }

        @Override
        public void munmap(Mapping mapping) throws DeviceException {
            long s = start();
            try {
                k.munmap(mapping);
            } finally {
                end(s);
            }
        }
    }
}
