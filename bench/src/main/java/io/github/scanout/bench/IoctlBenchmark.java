package io.github.scanout.bench;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.core.fixture.CoreFixture;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One ioctl on a real file descriptor through Scanout's native path against a bare JNA call.
 *
 * <p>The fd is a memfd of 4 KiB; the ioctl is {@code FIONREAD} (0x541B on x86-64 and arm64),
 * which every Linux answers for a regular file (the bytes between the offset and the end: 4096).
 * {@link #scanout}: {@code Kernel.ioctl(fd, FIONREAD, arg)} of core's host kernel
 * ({@code LibcKernel}, through core's published test fixture), with a reused direct argument
 * buffer, as the VFIO device passes its preallocated per-device arguments; the answer is checked
 * as Scanout checks it (-1 becomes an exception with errno). {@link #scanoutHeapArg}: the same
 * with a heap buffer (copied to native memory and back). {@link #direct}: a bare direct-mapped
 * JNA {@code ioctl} ({@link Native#register}) with the same buffer, nothing else.
 * {@link #interfaceMapped}: the same call through JNA's interface mapping (a proxy; how Scanout
 * called ioctl before), for comparison. Run with
 * {@code -prof gc}: {@code gc.alloc.rate.norm} of {@link #scanout} is the figure
 * {@code jna_ioctl_alloc_bytes}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IoctlBenchmark {

    static final long FIONREAD = 0x541B;

    /** The bare baseline: libc's ioctl, direct-mapped, no checks. */
    static final class Bare {
        static {
            Native.register(Bare.class, NativeLibrary.getInstance("c"));
        }

        private Bare() {}

        static native int ioctl(int fd, long request, ByteBuffer arg);
    }

    /** JNA's interface mapping, as Scanout's ioctls went before: for the record, not a goal. */
    interface Interface extends com.sun.jna.Library {
        Interface C = Native.load("c", Interface.class);

        int ioctl(int fd, long request, com.sun.jna.Pointer arg);
    }

    /** A memfd and the argument buffers. */
    @State(Scope.Thread)
    public static class Fd {
        Kernel kernel;
        int fd = -1;
        ByteBuffer direct;
        ByteBuffer heap;

        @Setup(Level.Trial)
        public void setUp() throws DeviceException {
            kernel = CoreFixture.hostKernel();
            fd = kernel.memfdCreate("scanout-bench-ioctl", 0);
            kernel.ftruncate(fd, 4096);
            direct = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            heap = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            if (kernel.ioctl(fd, FIONREAD, direct) != 0 || direct.getInt(0) != 4096) {
                throw new IllegalStateException("FIONREAD on a 4 KiB memfd answered " + direct.getInt(0));
            }
            if (Bare.ioctl(fd, FIONREAD, direct) != 0 || direct.getInt(0) != 4096) {
                throw new IllegalStateException("the bare FIONREAD answered " + direct.getInt(0));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws DeviceException {
            kernel.close(fd);
        }
    }

    @Benchmark
    public int scanout(Fd f) throws DeviceException {
        f.kernel.ioctl(f.fd, FIONREAD, f.direct);
        return f.direct.getInt(0);
    }

    @Benchmark
    public int scanoutHeapArg(Fd f) throws DeviceException {
        f.kernel.ioctl(f.fd, FIONREAD, f.heap);
        return f.heap.getInt(0);
    }

    @Benchmark
    public int interfaceMapped(Fd f) {
        int r = Interface.C.ioctl(f.fd, FIONREAD, Native.getDirectBufferPointer(f.direct));
        return r + f.direct.getInt(0);
    }

    @Benchmark
    public int direct(Fd f) {
        int r = Bare.ioctl(f.fd, FIONREAD, f.direct);
        return r + f.direct.getInt(0);
    }
}
