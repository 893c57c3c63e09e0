package io.github.scanout.core.internal.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.core.Resources;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The real C library through LibcKernel, no mocks: memfd, mmap, pread/pwrite, dup, lseek, close. */
class LibcKernelRealTest {

    final LibcKernel kernel = LibcKernel.instance();

    @Test
    void memfdRoundTrip() throws Exception {
        int fdsBefore = Resources.openFds();
        long mappedBefore = Resources.mappedBytes();
        long mapsBefore = Resources.liveMappings();

        int fd = kernel.memfdCreate("scanout-test", Linux.MFD_CLOEXEC);
        int copy = -1;
        try {
            assertThat(Resources.openFds()).isEqualTo(fdsBefore + 1);
            kernel.ftruncate(fd, 2 * Linux.PAGE_SIZE);
            assertThat(kernel.lseek(fd, 0, Linux.SEEK_END)).isEqualTo(2L * Linux.PAGE_SIZE);
            assertThat(kernel.fcntl(fd, Linux.F_GETFD, 0) & Linux.FD_CLOEXEC).isEqualTo(Linux.FD_CLOEXEC);

            // pwrite from a heap buffer, pread into a direct one
            byte[] hello = "hello, vgpu".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer src = ByteBuffer.wrap(hello);
            assertThat(kernel.pwrite(fd, src, 100)).isEqualTo(hello.length);
            assertThat(src.hasRemaining()).isFalse();
            ByteBuffer direct = ByteBuffer.allocateDirect(hello.length);
            assertThat(kernel.pread(fd, direct, 100)).isEqualTo(hello.length);
            direct.flip();
            byte[] back = new byte[hello.length];
            direct.get(back);
            assertThat(back).isEqualTo(hello);

            // a mapping sees what pwrite wrote, and writes through it are seen by pread
            Mapping rw = kernel.mmap(2 * Linux.PAGE_SIZE, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0);
            assertThat(Resources.mappedBytes()).isEqualTo(mappedBefore + 2 * Linux.PAGE_SIZE);
            assertThat(Resources.liveMappings()).isEqualTo(mapsBefore + 1);
            ByteBuffer view = rw.view(100, hello.length);
            byte[] seen = new byte[hello.length];
            view.get(seen);
            assertThat(seen).isEqualTo(hello);
            rw.view(Linux.PAGE_SIZE, 4).putInt(0, 0xCAFEBABE);
            ByteBuffer heap = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(kernel.pread(fd, heap, Linux.PAGE_SIZE)).isEqualTo(4);
            assertThat(heap.getInt(0)).isEqualTo(0xCAFEBABE);
            assertThatThrownBy(() -> rw.view(2 * Linux.PAGE_SIZE - 2, 4)).isInstanceOf(IndexOutOfBoundsException.class);

            // a read-only mapping of the second page at its page offset
            Mapping ro = kernel.mmap(Linux.PAGE_SIZE, Linux.PROT_READ, Linux.MAP_SHARED, fd, Linux.PAGE_SIZE);
            assertThat(ro.view(0, 4).isReadOnly()).isTrue();
            assertThat(ro.view(0, 4).getInt(0)).isEqualTo(0xCAFEBABE);
            kernel.munmap(ro);
            kernel.munmap(rw);
            assertThat(Resources.mappedBytes()).isEqualTo(mappedBefore);
            assertThat(Resources.liveMappings()).isEqualTo(mapsBefore);

            // dup shares the file, without CLOEXEC
            copy = kernel.dup(fd);
            assertThat(copy).isNotEqualTo(fd);
            assertThat(kernel.fcntl(copy, Linux.F_GETFD, 0) & Linux.FD_CLOEXEC).isZero();
            assertThat(kernel.lseek(copy, 0, Linux.SEEK_END)).isEqualTo(2L * Linux.PAGE_SIZE);
            assertThat(Resources.openFds()).isEqualTo(fdsBefore + 2);
        } finally {
            if (copy >= 0) {
                kernel.close(copy);
            }
            kernel.close(fd);
        }
        assertThat(Resources.openFds()).isEqualTo(fdsBefore);
    }

    @Test
    void largeHeapReadsAreShortReadsNotOverruns() throws Exception {
        int fd = kernel.memfdCreate("scanout-big", Linux.MFD_CLOEXEC);
        try {
            kernel.ftruncate(fd, 3L << 20);
            ByteBuffer dst = ByteBuffer.allocate(3 << 20);
            int n = kernel.pread(fd, dst, 0);
            assertThat(n).isPositive().isLessThanOrEqualTo(LibcKernel.MAX_BOUNCE);
            assertThat(dst.position()).isEqualTo(n);
        } finally {
            kernel.close(fd);
        }
    }

    @Test
    void badFdIsEbadf() {
        int bad = 0x3FFF_FFF0;
        assertThatThrownBy(() -> kernel.close(bad)).isInstanceOfSatisfying(DeviceException.class,
                e -> assertThat(e.is(Errno.EBADF)).isTrue()).hasMessage("close(fd " + bad + "): EBADF");
        assertThatThrownBy(() -> kernel.lseek(bad, 0, Linux.SEEK_END)).isInstanceOfSatisfying(DeviceException.class,
                e -> assertThat(e.is(Errno.EBADF)).isTrue());
        assertThatThrownBy(() -> kernel.ioctl(bad, 0x3B64, 0L)).isInstanceOfSatisfying(DeviceException.class,
                e -> assertThat(e.is(Errno.EBADF)).isTrue());
        assertThatThrownBy(() -> kernel.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, bad, 0))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.EBADF)).isTrue());
    }

    @Test
    void missingFileIsEnoent() {
        assertThatThrownBy(() -> kernel.open("/nonexistent/scanout", Linux.O_RDONLY))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.ENOENT)).isTrue())
                .hasMessage("open /nonexistent/scanout: ENOENT");
    }

    @Test
    void ioctlOnAMemfdIsEnotty() throws Exception {
        int fd = kernel.memfdCreate("scanout-ioctl", Linux.MFD_CLOEXEC);
        try {
            ByteBuffer arg = ByteBuffer.allocate(64);
            assertThatThrownBy(() -> kernel.ioctl(fd, 0x3B72, arg)).isInstanceOfSatisfying(DeviceException.class,
                    e -> assertThat(e.is(Errno.ENOTTY)).isTrue()).hasMessageContaining("VFIO_DEVICE_QUERY_GFX_PLANE");
        } finally {
            kernel.close(fd);
        }
    }

    /** FIONREAD: every Linux answers it for a regular file (a memfd) with the bytes from the offset to the end. */
    static final long FIONREAD = 0x541B;

    @Test
    void ioctlArgumentsReachTheKernelAndComeBackWhateverTheBufferKind() throws Exception {
        int fd = kernel.memfdCreate("scanout-fionread", Linux.MFD_CLOEXEC);
        try {
            kernel.ftruncate(fd, 12345);
            ByteBuffer direct = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            assertThat(kernel.ioctl(fd, FIONREAD, direct)).isZero();
            assertThat(direct.getInt(0)).isEqualTo(12345);
            // a direct buffer is passed from index 0 whatever its position, which is left alone
            ByteBuffer moved = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            moved.position(4);
            kernel.ioctl(fd, FIONREAD, moved);
            assertThat(moved.getInt(0)).isEqualTo(12345);
            assertThat(moved.getInt(4)).isZero();
            assertThat(moved.position()).isEqualTo(4);
            // a heap buffer is copied in and out
            ByteBuffer heap = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            kernel.ioctl(fd, FIONREAD, heap);
            assertThat(heap.getInt(0)).isEqualTo(12345);
            kernel.lseek(fd, 345, Linux.SEEK_SET);
            kernel.ioctl(fd, FIONREAD, direct);
            assertThat(direct.getInt(0)).isEqualTo(12000);
            // and errno of a failed direct call is the call's own
            assertThatThrownBy(() -> kernel.ioctl(0x3FFF_FFF0, FIONREAD, direct))
                    .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.EBADF)).isTrue());
        } finally {
            kernel.close(fd);
        }
    }

    @Test
    void errnoSurvivesManyThreads() throws Exception {
        Thread[] threads = new Thread[4];
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < 500; i++) {
                        try {
                            kernel.close(0x3FFF_FF00);
                            throw new AssertionError("close of a bad fd succeeded");
                        } catch (DeviceException e) {
                            assertThat(e.is(Errno.EBADF)).isTrue();
                        }
                        try {
                            kernel.ioctl(0x3FFF_FF00, 0x3B64, 0L);
                            throw new AssertionError("ioctl on a bad fd succeeded");
                        } catch (DeviceException e) {
                            assertThat(e.is(Errno.EBADF)).isTrue();
                        }
                        try {
                            kernel.open("/nonexistent/scanout", Linux.O_RDONLY);
                        } catch (DeviceException e) {
                            assertThat(e.is(Errno.ENOENT)).isTrue();
                        }
                    }
                } catch (Throwable x) {
                    failure[0] = x;
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failure[0]).isNull();
    }
}
