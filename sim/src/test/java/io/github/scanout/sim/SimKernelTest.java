package io.github.scanout.sim;

import static io.github.scanout.sim.Structs.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fd layer every simulated device shares: real fds, delegation, dup/close, faults. */
class SimKernelTest {
    private final FakeHostKernel host = new FakeHostKernel();
    private MbochsDevice device;
    private Kernel k;
    private int fd;
    private int hostFdsBefore;

    @BeforeEach
    void open() throws DeviceException {
        device = MbochsDevice.create(MbochsDevice.Type.SMALL);
        device.guest().setMode(640, 480);
        hostFdsBefore = host.openFds();
        OpenDevice d = device.open(host);
        k = d.kernel();
        fd = d.fd();
    }

    @Test
    void theDeviceFdIsARealCloexecMemfdOfTheHost() throws DeviceException {
        assertThat(host.isOpen(fd)).isTrue();
        assertThat(host.cloexec(fd)).isTrue();
        assertThat(host.name(fd)).isEqualTo("scanout-sim:mbochs?type=small:vfio-device");
        assertThat(device.liveFds()).isEqualTo(1);
        assertThat(device.openFiles()).isEqualTo(1);
        k.close(fd);
        assertThat(host.isOpen(fd)).isFalse();
        assertThat(device.liveFds()).isZero();
        assertThat(device.openFiles()).isZero();
        assertThat(host.openFds()).as("a closed device holds no fds").isEqualTo(hostFdsBefore);
        assertThat(host.liveMappings()).isZero();
    }

    @Test
    void otherFdsGoToTheHost() throws DeviceException {
        int memfd = k.memfdCreate("plain", 0);
        k.ftruncate(memfd, 8192);
        assertThat(k.pwrite(memfd, ByteBuffer.wrap(new byte[] {1, 2, 3}), 10)).isEqualTo(3);
        ByteBuffer back = ByteBuffer.allocate(3);
        k.pread(memfd, back, 10);
        assertThat(back.array()).containsExactly(1, 2, 3);
        assertThat(k.lseek(memfd, 0, Linux.SEEK_END)).isEqualTo(8192);
        Mapping m = k.mmap(4096, Linux.PROT_READ, Linux.MAP_PRIVATE, memfd, 0);
        k.munmap(m);
        assertThat(k.fcntl(memfd, Linux.F_GETFD, 0)).isZero();
        Expect.errno(Errno.ENOTTY, () -> k.ioctl(memfd, Vfio.DEVICE_GET_INFO, deviceInfo(24)));
        Expect.errno(Errno.ENOENT, () -> k.open("/dev/vfio/vfio", Linux.O_RDWR));
        k.close(memfd);
        Expect.errno(Errno.EBADF, () -> k.close(memfd));
    }

    @Test
    void dupSharesTheFileAndTheRealFlagsAreTheHosts() throws DeviceException {
        int copy = k.dup(fd);
        assertThat(copy).isNotEqualTo(fd);
        assertThat(host.cloexec(copy)).isFalse();
        assertThat(device.liveFds()).isEqualTo(2);
        k.close(fd);
        assertThat(device.openFiles()).as("the dup keeps the device file").isEqualTo(1);
        ByteBuffer info = deviceInfo(24);
        k.ioctl(copy, Vfio.DEVICE_GET_INFO, info);
        assertThat(info.getInt(8)).isEqualTo(10);
        k.fcntl(copy, Linux.F_SETFD, Linux.FD_CLOEXEC);
        assertThat(host.cloexec(copy)).isTrue();
        k.close(copy);
        assertThat(device.openFiles()).isZero();
    }

    @Test
    void deviceFdsCannotSeekOrTruncate() {
        Expect.errno(Errno.ESPIPE, () -> k.lseek(fd, 0, Linux.SEEK_SET));
        Expect.errno(Errno.EINVAL, () -> k.ftruncate(fd, 0));
    }

    @Test
    void ioctlArgumentsFollowCopyFromUserRules() throws DeviceException {
        Expect.errno(Errno.EFAULT, () -> k.ioctl(fd, Vfio.DEVICE_GET_INFO, null));
        Expect.errno(Errno.EFAULT, () -> k.ioctl(fd, Vfio.DEVICE_GET_INFO, 0L));
        Expect.errno(Errno.EFAULT, () -> k.ioctl(fd, Vfio.DEVICE_GET_INFO, le(15).putInt(0, 16)));
        Expect.errno(Errno.EFAULT, () -> k.ioctl(fd, Vfio.DEVICE_GET_INFO, deviceInfo(24).asReadOnlyBuffer()));
        Expect.errno(Errno.EFAULT, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, le(59).putInt(0, 64)));
        Expect.errno(Errno.EFAULT, () -> k.ioctl(fd, Vfio.DEVICE_GET_GFX_DMABUF, le(3)));
        assertThat(k.ioctl(fd, Vfio.DEVICE_RESET, 0L)).as("RESET takes no argument").isZero();

        ByteBuffer info = deviceInfo(24);
        info.position(5).limit(9);
        k.ioctl(fd, Vfio.DEVICE_GET_INFO, info);
        assertThat(info.position()).isEqualTo(5);
        assertThat(info.limit()).isEqualTo(9);
        assertThat(info.duplicate().clear().order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(8))
                .as("the struct starts at index 0 whatever the position").isEqualTo(10);
    }

    @Test
    void deviceFeatureIsAnsweredByTheVfioCore() throws DeviceException {
        int get = 1 << 16;
        int set = 1 << 17;
        int probe = 1 << 18;
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, 0x3B75, le(8).putInt(0, 7).putInt(4, get | 1)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, 0x3B75, le(8).putInt(0, 8).putInt(4, 1 << 20)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, 0x3B75, le(8).putInt(0, 8).putInt(4, get | set | 1)));
        Expect.errno(Errno.ENOTTY, () -> k.ioctl(fd, 0x3B75, le(8).putInt(0, 8).putInt(4, get | 1)));
        Expect.errno(Errno.ENOTTY, () -> k.ioctl(fd, 0x3B75, le(8).putInt(0, 8).putInt(4, probe | get | set | 2)));
        Expect.errno(Errno.ENOTTY, () -> k.ioctl(fd, 0x3B75, le(8).putInt(0, 8).putInt(4, set | 6)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, 0x3B75, le(8).putInt(0, 8).putInt(4, get | 3)));
        Expect.errno(Errno.EFAULT, () -> k.ioctl(fd, 0x3B75, le(4)));
    }

    @Test
    void failNextFailsTheNextDeviceIoctlsOnly() throws DeviceException {
        device.failNext(2, Errno.EAGAIN);
        assertThat(device.failuresArmed()).isEqualTo(2);
        Expect.errno(Errno.EAGAIN, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(DMABUF, PRIMARY)));
        Expect.errno(Errno.EAGAIN, () -> k.ioctl(fd, Vfio.DEVICE_GET_INFO, deviceInfo(24)));
        Expect.errno(Errno.ENOMEM, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(DMABUF, PRIMARY)));
        ByteBuffer p = plane(DMABUF, PRIMARY);
        k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, p);
        int buf = k.ioctl(fd, Vfio.DEVICE_GET_GFX_DMABUF, u32(id(p)));

        device.failNext(1, Errno.EIO);
        ByteBuffer sync = le(8).putLong(0, Linux.DMA_BUF_SYNC_READ);
        assertThat(k.ioctl(buf, Linux.DMA_BUF_IOCTL_SYNC, sync)).as("dma-buf ioctls are not affected").isZero();
        Expect.errno(Errno.EIO, () -> k.ioctl(fd, Vfio.DEVICE_GET_INFO, deviceInfo(24)));
        assertThat(k.ioctl(fd, Vfio.DEVICE_GET_INFO, deviceInfo(24))).isZero();

        device.failNext(3, Errno.ENODEV);
        device.failNext(0, Errno.ENODEV);
        assertThat(k.ioctl(fd, Vfio.DEVICE_GET_INFO, deviceInfo(24))).as("failNext(0) disarms").isZero();
        k.close(buf);
    }

    @Test
    void aVanishedDeviceAnswersEnodevButItsFdsCanStillBeClosed() throws DeviceException {
        Expect.errno(Errno.ENOMEM, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(DMABUF, PRIMARY)));
        ByteBuffer p = plane(DMABUF, PRIMARY);
        k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, p);
        int buf = k.ioctl(fd, Vfio.DEVICE_GET_GFX_DMABUF, u32(id(p)));
        Mapping vram = k.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, fd, 0x3000);

        device.vanish();
        assertThat(device.isVanished()).isTrue();
        Expect.errno(Errno.ENODEV, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(DMABUF, PRIMARY)));
        Expect.errno(Errno.ENODEV, () -> k.ioctl(fd, Vfio.DEVICE_RESET, 0L));
        Expect.errno(Errno.ENODEV, () -> k.pread(fd, ByteBuffer.allocate(4), 0));
        Expect.errno(Errno.ENODEV, () -> k.pwrite(fd, ByteBuffer.allocate(4), 0));
        Expect.errno(Errno.ENODEV, () -> k.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, fd, 0x3000));
        Expect.errno(Errno.ENODEV, () -> k.lseek(buf, 0, Linux.SEEK_END));
        Expect.errno(Errno.ENODEV, () -> k.ioctl(buf, Linux.DMA_BUF_IOCTL_SYNC, le(8).putLong(0, 1)));
        Expect.errno(Errno.ENODEV, () -> device.open(host));
        vram.view(0, 4).getInt(0);

        int copy = k.dup(buf);
        k.close(copy);
        k.munmap(vram);
        k.close(buf);
        k.close(fd);
        assertThat(device.liveFds()).isZero();
        assertThat(device.openFiles()).isZero();
    }

    @Test
    void countsIoctlsAndDmabufGets() throws DeviceException {
        int before = device.ioctlCount();
        k.ioctl(fd, Vfio.DEVICE_GET_INFO, deviceInfo(24));
        Expect.errno(Errno.ENOENT, () -> k.ioctl(fd, Vfio.DEVICE_GET_GFX_DMABUF, u32(5)));
        assertThat(device.ioctlCount()).isEqualTo(before + 2);
        assertThat(device.dmabufGets()).containsEntry(5L, 1);
    }
}
