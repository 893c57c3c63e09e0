package io.github.scanout.core.internal.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** LibcKernel over a mocked libc: -1 and MAP_FAILED become typed errors with errno and a useful message. */
class LibcKernelMockTest {

    final Libc libc = mock(Libc.class);
    final LibcKernel kernel = new LibcKernel(libc);

    @Test
    void openFailureCarriesErrnoAndPath() {
        when(libc.open("/dev/vfio/12", Linux.O_RDWR)).thenReturn(-1);
        when(libc.errno()).thenReturn(Errno.EACCES.number());
        assertThatThrownBy(() -> kernel.open("/dev/vfio/12", Linux.O_RDWR))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.errno()).isEqualTo(13))
                .hasMessage("open /dev/vfio/12: EACCES");
    }

    @Test
    void successReturnsTheValueWithoutReadingErrno() throws Exception {
        when(libc.open("/x", 0)).thenReturn(7);
        assertThat(kernel.open("/x", 0)).isEqualTo(7);
        verify(libc, never()).errno();
    }

    @Test
    void closeDupFcntlLseekFtruncateMemfdFailuresNameTheFd() {
        when(libc.errno()).thenReturn(Errno.EBADF.number());
        when(libc.close(5)).thenReturn(-1);
        when(libc.dup(5)).thenReturn(-1);
        when(libc.fcntl(5, Linux.F_SETFD, Linux.FD_CLOEXEC)).thenReturn(-1);
        when(libc.lseek(5, 0, Linux.SEEK_END)).thenReturn(-1L);
        when(libc.ftruncate(5, 4096)).thenReturn(-1);
        when(libc.memfd_create("buf", 0)).thenReturn(-1);
        assertThatThrownBy(() -> kernel.close(5)).hasMessage("close(fd 5): EBADF");
        assertThatThrownBy(() -> kernel.dup(5)).hasMessage("dup(fd 5): EBADF");
        assertThatThrownBy(() -> kernel.fcntl(5, Linux.F_SETFD, Linux.FD_CLOEXEC)).hasMessage("fcntl(fd 5, 2, 1): EBADF");
        assertThatThrownBy(() -> kernel.lseek(5, 0, Linux.SEEK_END)).hasMessage("lseek(fd 5, 0, SEEK_END): EBADF");
        assertThatThrownBy(() -> kernel.ftruncate(5, 4096)).hasMessage("ftruncate(fd 5, 4096): EBADF");
        assertThatThrownBy(() -> kernel.memfdCreate("buf", 0)).hasMessage("memfd_create(buf): EBADF");
    }

    @Test
    void ioctlFailureNamesTheRequest() {
        when(libc.ioctl(eq(9), eq(Vfio.DEVICE_QUERY_GFX_PLANE), any(Pointer.class))).thenReturn(-1);
        when(libc.ioctl(9, Vfio.DEVICE_RESET, 0L)).thenReturn(-1);
        when(libc.errno()).thenReturn(Errno.ENOMEM.number(), Errno.EINVAL.number());
        assertThatThrownBy(() -> kernel.ioctl(9, Vfio.DEVICE_QUERY_GFX_PLANE, ByteBuffer.allocate(64)))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessage("ioctl(fd 9, VFIO_DEVICE_QUERY_GFX_PLANE): ENOMEM");
        assertThatThrownBy(() -> kernel.ioctl(9, Vfio.DEVICE_RESET, 0L)).hasMessage("ioctl(fd 9, VFIO_DEVICE_RESET): EINVAL");
        assertThat(LibcKernel.ioctlName(0x1234)).isEqualTo("0x1234");
    }

    @Test
    void ioctlWithoutArgumentPassesNull() throws Exception {
        when(libc.ioctl(eq(9), eq(Vfio.DEVICE_RESET), isNull(Pointer.class))).thenReturn(0);
        assertThat(kernel.ioctl(9, Vfio.DEVICE_RESET, (ByteBuffer) null)).isZero();
    }

    /** The "driver" reads argsz at 0 and writes 0xAB at 8 and returns 3. */
    private void fakeDriver() {
        when(libc.ioctl(eq(9), eq(0x3B6CL), any(Pointer.class))).thenAnswer(inv -> {
            Pointer p = inv.getArgument(2);
            assertThat(p.getInt(0)).isEqualTo(32);
            p.setInt(8, 0xAB);
            return 3;
        });
    }

    @Test
    void heapIoctlArgumentIsCopiedInAndOutWithPositionAndLimitUntouched() throws Exception {
        fakeDriver();
        ByteBuffer arg = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        arg.putInt(0, 32);
        arg.position(5).limit(20);
        assertThat(kernel.ioctl(9, 0x3B6C, arg)).isEqualTo(3);
        assertThat(arg.getInt(8)).isEqualTo(0xAB);
        assertThat(arg.position()).isEqualTo(5);
        assertThat(arg.limit()).isEqualTo(20);
    }

    @Test
    void heapSliceWithArrayOffsetIsCopiedFromItsIndexZero() throws Exception {
        fakeDriver();
        ByteBuffer big = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        big.position(16);
        ByteBuffer arg = big.slice().order(ByteOrder.nativeOrder());
        arg.putInt(0, 32);
        kernel.ioctl(9, 0x3B6C, arg);
        assertThat(big.getInt(16 + 8)).isEqualTo(0xAB);
    }

    @Test
    void directIoctlArgumentIsPassedInPlace() throws Exception {
        fakeDriver();
        ByteBuffer arg = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
        arg.putInt(0, 32);
        arg.position(4);
        kernel.ioctl(9, 0x3B6C, arg);
        assertThat(arg.getInt(8)).isEqualTo(0xAB);
        assertThat(arg.position()).isEqualTo(4);
    }

    @Test
    void readOnlyIoctlArgumentIsCopiedInOnly() throws Exception {
        fakeDriver();
        ByteBuffer arg = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        arg.putInt(0, 32);
        kernel.ioctl(9, 0x3B6C, arg.asReadOnlyBuffer());
        assertThat(arg.getInt(8)).isZero();
    }

    @Test
    void mapFailedIsThrownWithErrnoAndCountsNothing() {
        long bytes = LibcKernel.mappedBytes();
        long maps = LibcKernel.liveMappings();
        when(libc.mmap(isNull(), eq(4096L), eq(Linux.PROT_READ), eq(Linux.MAP_SHARED), eq(9), eq(0x1000L)))
                .thenReturn(new Pointer(Libc.MAP_FAILED));
        when(libc.errno()).thenReturn(Errno.ENODEV.number());
        assertThatThrownBy(() -> kernel.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, 9, 0x1000))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.isGone()).isTrue())
                .hasMessage("mmap(4096 bytes, prot 1, flags 1, fd 9, offset 0x1000): ENODEV");
        assertThat(LibcKernel.mappedBytes()).isEqualTo(bytes);
        assertThat(LibcKernel.liveMappings()).isEqualTo(maps);
    }

    @Test
    void mappingsAreCountedViewedWithBoundsAndUnmappedOnce() throws Exception {
        try (Memory mem = new Memory(8192)) {
            long bytes = LibcKernel.mappedBytes();
            long maps = LibcKernel.liveMappings();
            when(libc.mmap(isNull(), eq(8192L), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(mem);
            Mapping m = kernel.mmap(8192, Linux.PROT_READ, Linux.MAP_SHARED, 9, 0);
            assertThat(LibcKernel.mappedBytes()).isEqualTo(bytes + 8192);
            assertThat(LibcKernel.liveMappings()).isEqualTo(maps + 1);

            mem.setInt(100, 0x01020304);
            ByteBuffer v = m.view(100, 4);
            assertThat(v.isReadOnly()).isTrue();
            assertThat(v.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(v.getInt(0)).isEqualTo(0x01020304);
            assertThatThrownBy(() -> m.view(8190, 4)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> m.view(-1, 4)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> m.view(0, -1)).isInstanceOf(IndexOutOfBoundsException.class);

            when(libc.munmap(mem, 8192)).thenReturn(0);
            kernel.munmap(m);
            assertThat(LibcKernel.mappedBytes()).isEqualTo(bytes);
            assertThat(LibcKernel.liveMappings()).isEqualTo(maps);
            assertThatThrownBy(() -> kernel.munmap(m)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> m.view(0, 1)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void failedMunmapKeepsTheMappingCounted() throws Exception {
        try (Memory mem = new Memory(4096)) {
            when(libc.mmap(isNull(), eq(4096L), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(mem);
            Mapping m = kernel.mmap(4096, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, 9, 0);
            long bytes = LibcKernel.mappedBytes();
            when(libc.munmap(mem, 4096)).thenReturn(-1, 0);
            when(libc.errno()).thenReturn(Errno.EINVAL.number());
            assertThatThrownBy(() -> kernel.munmap(m)).hasMessageContaining("munmap").hasMessageEndingWith("EINVAL");
            assertThat(LibcKernel.mappedBytes()).isEqualTo(bytes);
            assertThat(m.view(0, 4).isReadOnly()).isFalse();
            kernel.munmap(m);
            assertThat(LibcKernel.mappedBytes()).isEqualTo(bytes - 4096);
        }
    }

    @Test
    void munmapRefusesForeignMappings() {
        Mapping foreign = mock(Mapping.class);
        assertThatThrownBy(() -> kernel.munmap(foreign)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void preadFailureNamesFdCountAndOffset() {
        when(libc.pread(eq(4), any(Pointer.class), eq(16L), eq(0x2000L))).thenReturn(-1L);
        when(libc.errno()).thenReturn(Errno.EIO.number());
        assertThatThrownBy(() -> kernel.pread(4, ByteBuffer.allocate(16), 0x2000))
                .hasMessage("pread(fd 4, 16 bytes at offset 0x2000): EIO");
    }

    @Test
    void heapPreadCopiesWhatWasReadAndAdvancesPosition() throws Exception {
        when(libc.pread(eq(4), any(Pointer.class), eq(6L), eq(0L))).thenAnswer(inv -> {
            Pointer p = inv.getArgument(1);
            p.write(0, new byte[] {1, 2, 3}, 0, 3);
            return 3L;
        });
        ByteBuffer dst = ByteBuffer.allocate(8);
        dst.position(2);
        assertThat(kernel.pread(4, dst, 0)).isEqualTo(3);
        assertThat(dst.position()).isEqualTo(5);
        assertThat(dst.array()).startsWith(0, 0, 1, 2, 3, 0);
    }
}
