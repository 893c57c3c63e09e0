package io.github.scanout.sim;

import static io.github.scanout.sim.Structs.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MdpyDeviceTest {
    private final FakeHostKernel host = new FakeHostKernel();
    private MdpyDevice device;
    private Kernel k;
    private int fd;

    @BeforeEach
    void open() throws DeviceException {
        device = MdpyDevice.create(MdpyDevice.Type.XGA);
        OpenDevice d = device.open(host);
        k = d.kernel();
        fd = d.fd();
    }

    @Test
    void deviceInfoNeedsArgsz16AndReportsNineRegionsWithoutResetFlag() throws DeviceException {
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_GET_INFO, deviceInfo(15)));
        ByteBuffer info = deviceInfo(24);
        info.putInt(16, 0x7777);
        assertThat(k.ioctl(fd, Vfio.DEVICE_GET_INFO, info)).isZero();
        assertThat(info.getInt(0)).isEqualTo(24);
        assertThat(info.getInt(4)).isEqualTo(Vfio.DEVICE_FLAGS_PCI);
        assertThat(info.getInt(8)).isEqualTo(9);
        assertThat(info.getInt(12)).isEqualTo(5);
        assertThat(info.getInt(16)).as("only 16 bytes are copied back").isEqualTo(0x7777);
    }

    @Test
    void displayRegionIs16OutsideNumRegionsAtOffset0x1000() throws DeviceException {
        ByteBuffer r = region(32, 16, 32);
        r.putInt(12, 0x55);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, r);
        assertThat(r.getInt(4)).isEqualTo(Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE
                | Vfio.REGION_INFO_FLAG_MMAP);
        assertThat(r.getLong(16)).isEqualTo(4 << 20);
        assertThat(r.getLong(24)).isEqualTo(0x1000);
        assertThat(r.getInt(0)).isEqualTo(32);
        assertThat(r.getInt(12)).as("cap_offset is not touched").isEqualTo(0x55);

        ByteBuffer bar0 = region(32, 0, 32);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, bar0);
        assertThat(bar0.getLong(24)).isEqualTo(0x1000);

        ByteBuffer cfg = region(32, 7, 32);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, cfg);
        assertThat(cfg.getLong(16)).isEqualTo(0xff);
        assertThat(cfg.getInt(4)).isEqualTo(Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE);

        ByteBuffer bar3 = region(32, 3, 32);
        bar3.putLong(16, 99).putInt(4, 99);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, bar3);
        assertThat(bar3.getLong(16)).isZero();
        assertThat(bar3.getInt(4)).isZero();

        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, region(32, 9, 32)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, region(32, 15, 32)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, region(32, -1, 32)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, region(31, 16, 32)));
        Expect.errno(Errno.EFAULT, () -> k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, region(32, 16, 31)));
    }

    @Test
    void onlyProbeRegionSucceeds() throws DeviceException {
        assertThat(k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE | REGION, PRIMARY))).isZero();
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE | DMABUF, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE,
                plane(PROBE | REGION | DMABUF, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(DMABUF, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(REGION | DMABUF, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(0, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(59, REGION, PRIMARY)));
    }

    @Test
    void planeIsTheWholeFramebufferAndCursorQueriesAnswerIt() throws DeviceException {
        for (int type : new int[] {PRIMARY, CURSOR, OVERLAY}) {
            ByteBuffer p = plane(REGION, type);
            p.putInt(60, 0x1234_5678).putInt(48, 7).putInt(52, 7);
            k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, p);
            assertThat(format(p)).isEqualTo(DrmFormat.XRGB8888.fourcc());
            assertThat(width(p)).isEqualTo(1024);
            assertThat(height(p)).isEqualTo(768);
            assertThat(stride(p)).isEqualTo(4096);
            assertThat(size(p)).isEqualTo(4194304);
            assertThat(id(p)).isEqualTo(16);
            assertThat(modifier(p)).isZero();
            assertThat(xHot(p)).as("mdpy reports hotspot 0, not 0xFFFFFFFF").isZero();
            assertThat(yHot(p)).isZero();
            assertThat(p.getInt(60)).as("bytes 60..63 are not copied back").isEqualTo(0x1234_5678);
        }
    }

    @Test
    void framebufferSizesArePowersOfTwo() {
        assertThat(MdpyDevice.create(MdpyDevice.Type.VGA).framebufferSize()).isEqualTo(2 << 20);
        assertThat(MdpyDevice.create(MdpyDevice.Type.XGA).framebufferSize()).isEqualTo(4 << 20);
        assertThat(MdpyDevice.create(MdpyDevice.Type.HD).framebufferSize()).isEqualTo(8 << 20);
    }

    @Test
    void framebufferStartsAsTheDriversGreyGradientAndResetRepaintsIt() throws DeviceException {
        assertThat(device.pixel(0, 0)).isEqualTo(0x00000000 | 0xff000000);
        assertThat(device.pixel(5, 767) & 0xffffff).isEqualTo(0x010101 * (767 * 255 / 768));
        device.fill(0xff123456);
        assertThat(device.pixel(5, 767)).isEqualTo(0xff123456);
        assertThat(k.ioctl(fd, Vfio.DEVICE_RESET, null)).isZero();
        assertThat(device.pixel(5, 384) & 0xffffff).isEqualTo(0x010101 * (384 * 255 / 768));
    }

    @Test
    void mmapSharedAtPageOffsetOneShowsThePixels() throws DeviceException {
        device.setPixel(3, 2, 0xff00ff00);
        int before = host.liveMappings(); // the model's own mapping of its memfd
        Mapping m = k.mmap(4 << 20, Linux.PROT_READ, Linux.MAP_SHARED, fd, 0x1000);
        ByteBuffer v = m.view(0, 4 << 20);
        assertThat(v.getInt(2 * 4096 + 3 * 4) & 0xffffff).isEqualTo(0x00ff00);
        device.setPixel(4, 2, 0xff0000ff);
        assertThat(v.getInt(2 * 4096 + 4 * 4) & 0xffffff).as("a live view").isEqualTo(0x0000ff);
        k.munmap(m);

        Expect.errno(Errno.EINVAL, () -> k.mmap(4096, Linux.PROT_READ, Linux.MAP_PRIVATE, fd, 0x1000));
        Expect.errno(Errno.EINVAL, () -> k.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, fd, 0));
        Expect.errno(Errno.EINVAL, () -> k.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, fd, 0x2000));
        Expect.errno(Errno.EINVAL, () -> k.mmap((4 << 20) + 1, Linux.PROT_READ, Linux.MAP_SHARED, fd, 0x1000));
        Expect.errno(Errno.EINVAL, () -> k.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, fd, 0x1001));
        assertThat(host.liveMappings()).isEqualTo(before);
    }

    @Test
    void aMappingKeepsTheDeviceFileOpenAfterTheFdIsClosed() throws DeviceException {
        Mapping m = k.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, fd, 0x1000);
        k.close(fd);
        assertThat(device.liveFds()).isZero();
        assertThat(device.openFiles()).isEqualTo(1);
        k.munmap(m);
        assertThat(device.openFiles()).isZero();
        Expect.errno(Errno.EINVAL, () -> k.munmap(m));
    }

    @Test
    void preadAndPwriteOfTheFramebufferIgnoreTheOffsetLikeTheDriver() throws DeviceException {
        device.setPixel(0, 0, 0xff112233);
        device.setPixel(1, 0, 0xff445566);
        device.setPixel(100, 100, 0xff778899);
        ByteBuffer dst = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(k.pread(fd, dst, 0x1000 + 100 * 4096 + 100 * 4)).isEqualTo(8);
        assertThat(dst.position()).isEqualTo(8);
        assertThat(dst.getInt(0)).as("first chunk reads pixel (0,0)").isEqualTo(0xff112233);
        assertThat(dst.getInt(4)).as("and so does every other chunk").isEqualTo(0xff112233);

        ByteBuffer src = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 0xffabcdef);
        k.pwrite(fd, src, 0x1000 + 4096 * 300);
        assertThat(device.pixel(0, 0)).isEqualTo(0xffabcdef);
        assertThat(device.pixel(0, 300)).isNotEqualTo(0xffabcdef);

        Expect.errno(Errno.EFAULT, () -> k.pread(fd, ByteBuffer.allocate(4), 0x800));
        Expect.errno(Errno.EFAULT, () -> k.pread(fd, ByteBuffer.allocate(8), 0x1000 + (4 << 20) - 4));
        Expect.errno(Errno.EINVAL, () -> k.pread(fd, ByteBuffer.allocate(4), -4));
    }

    @Test
    void configSpaceShowsTheMdpyIdsAndMode() throws DeviceException {
        ByteBuffer cfg = ByteBuffer.allocate(0x50).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        k.pread(fd, cfg, 0);
        assertThat(cfg.getShort(0) & 0xffff).isEqualTo(0x1b36);
        assertThat(cfg.getShort(2) & 0xffff).isEqualTo(0x000f);
        assertThat(cfg.getInt(0x44)).isEqualTo(DrmFormat.XRGB8888.fourcc());
        assertThat(cfg.getInt(0x48)).isEqualTo(1024);
        assertThat(cfg.getInt(0x4c)).isEqualTo(768);

        ByteBuffer all = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, -1);
        k.pwrite(fd, all, 0x10);
        ByteBuffer bar = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        k.pread(fd, bar, 0x10);
        assertThat(bar.getInt(0)).as("BAR sizing reads back the size mask").isEqualTo(~(4 << 20) + 1 | 0x08);
    }

    @Test
    void irqInfoFailsUntilGetInfoTaughtTheDriverNumIrqs() throws DeviceException {
        ByteBuffer irq = le(16).putInt(0, 16).putInt(8, 0);
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, 0x3B6D, irq));
        k.ioctl(fd, Vfio.DEVICE_GET_INFO, deviceInfo(24));
        irq.putInt(12, 9);
        assertThat(k.ioctl(fd, 0x3B6D, irq)).isZero();
        assertThat(irq.getInt(12)).isZero();
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, 0x3B6D, le(16).putInt(0, 16).putInt(8, 5)));
    }

    @Test
    void otherIoctlsAreEinvalOrEnotty() {
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, 0x3B6E, le(20)));
        Expect.errno(Errno.ENOTTY, () -> k.ioctl(fd, Vfio.DEVICE_GET_GFX_DMABUF, u32(1)));
        Expect.errno(Errno.ENOTTY, () -> k.ioctl(fd, Vfio.GROUP_GET_STATUS, le(8)));
        Expect.errno(Errno.ENOTTY, () -> k.ioctl(fd, Linux.DMA_BUF_IOCTL_SYNC, le(8)));
    }

    @Test
    void animateDrawsTheNextFrameOnAPrimaryQueryAtMost60TimesASecond() throws DeviceException {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        device.setClock(now::get);
        device.setAnimate(true);
        k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(REGION, PRIMARY));
        assertThat(device.frame()).isZero();
        assertThat(device.pixel(0, 0)).as("frame 0 is drawn").isEqualTo(0xff000000);
        assertThat(device.pixel(1023, 700)).isEqualTo(0xff202020);
        now.addAndGet(10_000_000L);
        k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(REGION, PRIMARY));
        assertThat(device.frame()).as("less than 1/60 s later").isZero();
        k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(REGION, CURSOR));
        assertThat(device.frame()).isZero();
        now.addAndGet(7_000_000L);
        k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(REGION, PRIMARY));
        assertThat(device.frame()).isEqualTo(1);
    }

    @Test
    void theFramebufferOutlivesTheOpenWhileTheClosedDeviceHoldsNoFds() throws DeviceException {
        device.setPixel(9, 9, 0xff123123);
        k.close(fd);
        assertThat(host.openFds()).isZero();
        assertThat(host.liveMappings()).isZero();
        assertThat(device.pixel(9, 9)).isEqualTo(0xff123123);
        device.setPixel(8, 8, 0xff456456);
        OpenDevice again = device.open(host);
        Mapping m = again.kernel().mmap(4 << 20, Linux.PROT_READ, Linux.MAP_SHARED, again.fd(), 0x1000);
        assertThat(m.view(9 * 4096 + 9 * 4, 4).getInt(0)).isEqualTo(0xff123123);
        assertThat(m.view(8 * 4096 + 8 * 4, 4).getInt(0)).isEqualTo(0xff456456);
        again.kernel().munmap(m);
        again.kernel().close(again.fd());
        assertThat(host.openFds()).isZero();
    }

    @Test
    void disablingTheMdpyPlaneIsNotSupported() {
        assertThatThrownBy(device::disablePlane).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("no disabled state");
    }
}
