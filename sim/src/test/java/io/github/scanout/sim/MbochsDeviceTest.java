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
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MbochsDeviceTest {
    private final FakeHostKernel host = new FakeHostKernel();
    private MbochsDevice device;
    private Kernel k;
    private int fd;

    @BeforeEach
    void open() throws DeviceException {
        device = MbochsDevice.create(MbochsDevice.Type.MEDIUM);
        reopen();
    }

    private void reopen() throws DeviceException {
        OpenDevice d = device.open(host);
        k = d.kernel();
        fd = d.fd();
    }

    private ByteBuffer query(int type) throws DeviceException {
        ByteBuffer p = plane(DMABUF, type);
        k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, p);
        return p;
    }

    /** Queries the primary plane through the ENOMEM of a new mode. */
    private ByteBuffer settle() throws DeviceException {
        try {
            return query(PRIMARY);
        } catch (DeviceException e) {
            assertThat(e.is(Errno.ENOMEM)).as(e.getMessage()).isTrue();
            return query(PRIMARY);
        }
    }

    private int getDmabuf(int id) throws DeviceException {
        return k.ioctl(fd, Vfio.DEVICE_GET_GFX_DMABUF, u32(id));
    }

    private static ByteBuffer le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, v);
    }

    private int readReg32(long pos) throws DeviceException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        k.pread(fd, b, pos);
        return b.getInt(0);
    }

    @Test
    void infoAndProbes() throws DeviceException {
        ByteBuffer info = deviceInfo(24);
        k.ioctl(fd, Vfio.DEVICE_GET_INFO, info);
        assertThat(info.getInt(4)).isEqualTo(Vfio.DEVICE_FLAGS_PCI);
        assertThat(info.getInt(8)).isEqualTo(10);
        assertThat(k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE | DMABUF, PRIMARY))).isZero();
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE | REGION, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(REGION, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(59, DMABUF, PRIMARY)));
    }

    @Test
    void aModeCycleSwitchesTheGuestsModeOnItsScheduleAtTheNextQuery() throws DeviceException {
        long[] now = {1_000_000_000L};
        device.setClock(() -> now[0]);
        device.cycleModes(java.util.List.of(new int[] {640, 480}, new int[] {800, 600}), java.time.Duration.ofSeconds(3));
        ByteBuffer p = settle();
        assertThat(width(p) + "x" + height(p)).isEqualTo("640x480");
        now[0] += 2_900_000_000L;
        assertThat(width(settle())).as("still within the first 3 s").isEqualTo(640);
        now[0] += 200_000_000L;
        p = settle();
        assertThat(width(p) + "x" + height(p)).as("3.1 s in").isEqualTo("800x600");
        now[0] += 3_000_000_000L;
        assertThat(width(settle())).as("and back").isEqualTo(640);
        assertThatThrownBy(() -> device.cycleModes(java.util.List.of(), java.time.Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noPlaneBeforeAModeSet() throws DeviceException {
        ByteBuffer p = plane(DMABUF, PRIMARY);
        p.putInt(12, 7).putInt(24, 7).putInt(36, 7).putInt(56, 7).putInt(48, -1);
        k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, p);
        assertThat(format(p)).isZero();
        assertThat(width(p)).isZero();
        assertThat(size(p)).isZero();
        assertThat(id(p)).isZero();
        assertThat(xHot(p)).isZero();
        assertThat(device.primaryPlane()).isEmpty();
        assertThatThrownBy(device::drawNextFrame).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has not set a mode");
    }

    @Test
    void firstQueryOfANewModeIsEnomemAndIdsFollowModesAsOnA61Kernel() throws DeviceException {
        device.guest().setMode(1024, 768);
        Expect.errno(Errno.ENOMEM, () -> query(PRIMARY));
        ByteBuffer p = query(PRIMARY);
        assertThat(format(p)).isEqualTo(DrmFormat.XRGB8888.fourcc());
        assertThat(width(p)).isEqualTo(1024);
        assertThat(height(p)).isEqualTo(768);
        assertThat(stride(p)).isEqualTo(4096);
        assertThat(size(p)).isEqualTo(4096 * 768);
        assertThat(id(p)).isEqualTo(1);
        assertThat(id(query(PRIMARY))).as("same mode again").isEqualTo(1);

        device.guest().setMode(800, 600);
        Expect.errno(Errno.ENOMEM, () -> query(PRIMARY));
        ByteBuffer p2 = query(PRIMARY);
        assertThat(id(p2)).isEqualTo(2);
        assertThat(size(p2)).as("stride * height, not page aligned").isEqualTo(3200 * 600);

        device.guest().setMode(1024, 768);
        assertThat(id(query(PRIMARY))).as("back to 1024x768: the old buffer, no ENOMEM").isEqualTo(1);

        device.guest().write(Guest.BPP, 16);
        ByteBuffer off = query(PRIMARY);
        assertThat(format(off)).isZero();
        assertThat(id(off)).isZero();
        device.guest().setMode(1024, 768);
        device.guest().write(Guest.ENABLE, 0);
        assertThat(format(query(PRIMARY))).isZero();
        device.guest().setMode(63, 480);
        assertThat(format(query(PRIMARY))).as("width under 64").isZero();
        device.guest().setMode(4096, 4096);
        assertThat(format(query(PRIMARY))).as("framebuffer past the end of VRAM").isZero();
    }

    @Test
    void cursorAndOverlayQueriesSucceedWithZeros() throws DeviceException {
        device.guest().setMode(1024, 768);
        settle();
        for (int type : new int[] {CURSOR, OVERLAY}) {
            ByteBuffer p = plane(DMABUF, type);
            p.putInt(48, -1).putInt(52, -1).putInt(56, 9);
            k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, p);
            assertThat(format(p)).isZero();
            assertThat(id(p)).isZero();
            assertThat(xHot(p)).as("hotspot 0, not 0xFFFFFFFF").isZero();
            assertThat(yHot(p)).isZero();
        }
    }

    @Test
    void idsKeepCountingAcrossOpensAndTheBufferListIsEmptiedOnClose() throws DeviceException {
        device.guest().setMode(1024, 768);
        assertThat(id(settle())).isEqualTo(1);
        device.guest().setMode(800, 600);
        assertThat(id(settle())).isEqualTo(2);
        k.close(fd);
        assertThat(device.bufferObjects()).isZero();
        assertThat(device.guest().read(Guest.XRES)).as("registers survive the close").isEqualTo(800);
        reopen();
        Expect.errno(Errno.ENOMEM, () -> query(PRIMARY));
        assertThat(id(query(PRIMARY))).isEqualTo(3);
        Expect.errno(Errno.ENOENT, () -> getDmabuf(1));
    }

    @Test
    void getGfxDmabufGivesAFdWithoutCloexecThatAnswersItsSize() throws DeviceException {
        device.guest().setMode(1024, 768);
        settle();
        Expect.errno(Errno.ENOENT, () -> getDmabuf(7));
        int buf = getDmabuf(1);
        assertThat(host.cloexec(buf)).isFalse();
        assertThat(host.name(buf)).contains("dmabuf-1");
        assertThat(k.lseek(buf, 0, Linux.SEEK_END)).isEqualTo(4096L * 768);
        assertThat(k.lseek(buf, 0, Linux.SEEK_SET)).isZero();
        Expect.errno(Errno.EINVAL, () -> k.lseek(buf, 4096, Linux.SEEK_SET));
        Expect.errno(Errno.ESPIPE, () -> k.pread(buf, ByteBuffer.allocate(4), 0));
        Expect.errno(Errno.ESPIPE, () -> k.pwrite(buf, ByteBuffer.allocate(4), 0));
        assertThat(device.liveFds()).isEqualTo(2);
        assertThat(device.dmabufGets(1)).isEqualTo(1);
        assertThat(device.dmabufGets(7)).isEqualTo(1);
        k.close(buf);
        assertThat(device.liveFds()).isEqualTo(1);
    }

    @Test
    void aSecondGetForALiveIdIsRecordedAsTheDriversUseAfterFree() throws DeviceException {
        device.guest().setMode(1024, 768);
        settle();
        int buf = getDmabuf(1);
        assertThatThrownBy(() -> getDmabuf(1)).isInstanceOf(SimViolationError.class)
                .hasMessageContaining("use-after-free").hasMessageContaining("id 1");
        assertThat(device.violations()).hasSize(1);

        int copy = k.dup(buf);
        k.close(buf);
        device.setViolationPolicy(ViolationPolicy.ERRNO);
        Expect.errno(Errno.EEXIST, () -> getDmabuf(1));
        assertThat(device.violations()).as("a dup keeps the dma-buf alive").hasSize(2);

        k.close(copy);
        int again = getDmabuf(1);
        assertThat(device.violations()).as("once every fd is closed, asking again is fine").hasSize(2);
        k.close(again);
        assertThat(device.dmabufGets(1)).isEqualTo(4);
    }

    @Test
    void aFramebufferOffsetThatIsNotPageAlignedCannotBeExported() throws DeviceException {
        device.guest().setMode(1024, 768);
        device.guest().pan(1, 0);
        ByteBuffer p = settle();
        Expect.errno(Errno.EINVAL, () -> getDmabuf(id(p)));
        device.guest().pan(0, 1);
        ByteBuffer aligned = settle();
        int buf = getDmabuf(id(aligned));
        k.close(buf);
    }

    @Test
    void dmabufsRefuseMmapUnlessAllowed() throws DeviceException {
        device.guest().setMode(1024, 768);
        settle();
        int buf = getDmabuf(1);
        Expect.errno(Errno.EINVAL, () -> k.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, buf, 0));
        Expect.errno(Errno.EACCES, () -> k.mmap(4096, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, buf, 0));
        Expect.errno(Errno.EINVAL, () -> k.mmap(4096, Linux.PROT_READ, Linux.MAP_PRIVATE, buf, 0));
        k.close(buf);

        device.allowDmaBufMmap(true);
        device.guest().pan(0, 1); // framebuffer at VRAM offset 4096
        ByteBuffer p = settle();
        device.setPixel(5, 0, 0xff00ff00);
        int b2 = getDmabuf(id(p));
        Mapping m = k.mmap(4096L * 768, Linux.PROT_READ, Linux.MAP_SHARED, b2, 0);
        assertThat(m.view(20, 4).getInt(0) & 0xffffff).isEqualTo(0x00ff00);
        k.close(b2);
        assertThat(device.openFiles()).isEqualTo(1);
    }

    @Test
    void dmabufSyncIoctlIsAcceptedAndOtherIoctlsAreEnotty() throws DeviceException {
        device.guest().setMode(1024, 768);
        settle();
        int buf = getDmabuf(1);
        ByteBuffer sync = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        sync.putLong(0, Linux.DMA_BUF_SYNC_START | Linux.DMA_BUF_SYNC_READ);
        assertThat(k.ioctl(buf, Linux.DMA_BUF_IOCTL_SYNC, sync)).isZero();
        sync.putLong(0, Linux.DMA_BUF_SYNC_END | Linux.DMA_BUF_SYNC_READ);
        assertThat(k.ioctl(buf, Linux.DMA_BUF_IOCTL_SYNC, sync)).isZero();
        sync.putLong(0, Linux.DMA_BUF_SYNC_END);
        Expect.errno(Errno.EINVAL, () -> k.ioctl(buf, Linux.DMA_BUF_IOCTL_SYNC, sync));
        sync.putLong(0, 8 | Linux.DMA_BUF_SYNC_READ);
        Expect.errno(Errno.EINVAL, () -> k.ioctl(buf, Linux.DMA_BUF_IOCTL_SYNC, sync));
        Expect.errno(Errno.EFAULT, () -> k.ioctl(buf, Linux.DMA_BUF_IOCTL_SYNC, ByteBuffer.allocate(4)));
        Expect.errno(Errno.ENOTTY, () -> k.ioctl(buf, Vfio.DEVICE_QUERY_GFX_PLANE, plane(DMABUF, PRIMARY)));
        k.close(buf);
    }

    @Test
    void dispiRegistersTakeSixteenBitAccessesOnly() throws DeviceException {
        Guest g = device.guest();
        assertThat(g.read(Guest.ID)).isEqualTo(0xB0C5);
        assertThat(g.read(Guest.VIDEO_MEMORY_64K)).isEqualTo(256);
        g.write32(Guest.BPP, 32); // BPP is register 3: 0x506, not 4-aligned: two 16-bit writes
        assertThat(g.read(Guest.BPP)).as("an access at a 2-aligned offset splits into 16-bit writes").isEqualTo(32);
        g.write32(Guest.XRES, 640); // XRES is register 1: 0x502
        assertThat(g.read(Guest.XRES)).isEqualTo(640);
        g.write32(Guest.ENABLE, 0x41); // ENABLE is register 4: 0x508, 4-aligned: one 4-byte access, ignored
        assertThat(g.read(Guest.ENABLE)).isZero();

        k.pwrite(fd, le32(600), 0x1504); // YRES (0x504) through the device fd, 4-aligned: ignored
        assertThat(g.read(Guest.YRES)).isZero();
        ByteBuffer two = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 600);
        k.pwrite(fd, two, 0x1504);
        assertThat(g.read(Guest.YRES)).isEqualTo(600);
        assertThat(readReg32(0x1500)).as("a 4-byte read of the registers reads zeros").isZero();
        ByteBuffer id = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
        k.pread(fd, id, 0x1500);
        assertThat(id.getShort(0) & 0xffff).isEqualTo(0xB0C5);
        assertThatThrownBy(() -> g.write(11, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.write(Guest.XRES, 0x10000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resetClearsTheRegisters() throws DeviceException {
        device.guest().setMode(1024, 768);
        k.ioctl(fd, Vfio.DEVICE_RESET, null);
        assertThat(device.guest().read(Guest.ENABLE)).isZero();
        assertThat(device.guest().read(Guest.ID)).isEqualTo(0xB0C5);
        assertThat(format(query(PRIMARY))).isZero();
    }

    @Test
    void regionInfoRefusesArgszAbove48AndGivesTheEdidRegionATypeCapability() throws DeviceException {
        ByteBuffer small = region(32, 9, 32);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, small);
        assertThat(small.getInt(0)).as("argsz raised to the struct with its capability").isEqualTo(48);
        assertThat(small.getInt(4) & Vfio.REGION_INFO_FLAG_CAPS).isNotZero();
        assertThat(small.getInt(12)).isEqualTo(32);
        assertThat(small.getLong(24)).isEqualTo(0x2000);

        ByteBuffer full = region(48, 9, 48);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, full);
        assertThat(full.getShort(32)).isEqualTo((short) Vfio.REGION_INFO_CAP_TYPE);
        assertThat(full.getShort(34)).isEqualTo((short) 1);
        assertThat(full.getInt(36)).as("next").isZero();
        assertThat(full.getInt(40)).isEqualTo(Vfio.REGION_TYPE_GFX);
        assertThat(full.getInt(44)).isEqualTo(Vfio.REGION_SUBTYPE_GFX_EDID);

        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, region(49, 9, 64)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, region(32, 10, 32)));

        ByteBuffer vram = region(48, 0, 48);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, vram);
        assertThat(vram.getLong(24)).isEqualTo(0x3000);
        assertThat(vram.getLong(16)).isEqualTo(16 << 20);
        assertThat(vram.getInt(4)).isEqualTo(Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE
                | Vfio.REGION_INFO_FLAG_MMAP);
        assertThat(vram.get(40)).as("bytes past 32 are uninitialised kernel stack").isEqualTo((byte) 0xDB);

        ByteBuffer mmio = region(32, 2, 32);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, mmio);
        assertThat(mmio.getLong(24)).isEqualTo(0x1000);
        assertThat(mmio.getLong(16)).isEqualTo(0x1000);
    }

    @Test
    void edidLinkCycleShowsTheBlobToTheGuestOnlyWhileTheLinkIsUp() throws DeviceException {
        assertThat(readReg32(0x2000)).as("edid_offset").isEqualTo(0x800);
        assertThat(readReg32(0x2004)).as("edid_max_size").isEqualTo(0x400);
        assertThat(readReg32(0x200c)).as("max_xres").isEqualTo(1920);
        assertThat(readReg32(0x2010)).as("max_yres").isEqualTo(1440);
        assertThat(readReg32(0x2014)).as("link_state starts as neither up nor down").isZero();

        byte[] blob = new byte[128];
        for (int i = 0; i < blob.length; i++) {
            blob[i] = (byte) (i * 3 + 1);
        }
        k.pwrite(fd, le32(Vfio.EDID_LINK_DOWN), 0x2014);
        k.pwrite(fd, ByteBuffer.wrap(blob), 0x2800);
        k.pwrite(fd, le32(128), 0x2008);
        assertThat(device.guest().readEdid(128)).as("link down: the guest sees nothing").containsOnly(0);
        k.pwrite(fd, le32(Vfio.EDID_LINK_UP), 0x2014);
        assertThat(device.guest().readEdid(128)).isEqualTo(blob);
        assertThat(device.guest().readEdid(130)[129]).as("past edid_size").isZero();

        ByteBuffer back = ByteBuffer.allocate(128);
        k.pread(fd, back, 0x2800);
        assertThat(back.array()).isEqualTo(blob);

        k.pwrite(fd, le32(640), 0x200c);
        assertThat(readReg32(0x200c)).as("max_xres is read-only").isEqualTo(1920);
        ByteBuffer half = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 2);
        k.pwrite(fd, half, 0x2014);
        assertThat(readReg32(0x2014)).as("2-byte register writes are ignored").isEqualTo(Vfio.EDID_LINK_UP);
        k.pwrite(fd, le32(Vfio.EDID_LINK_DOWN), 0x2014);
        assertThat(device.guest().readEdid(128)).containsOnly(0);
    }

    @Test
    void vramMapsSharedAtPageOffsetThree() throws DeviceException {
        device.guest().setMode(1024, 768);
        device.drawNextFrame();
        Mapping m = k.mmap(16 << 20, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0x3000);
        assertThat(m.view(0, 4).getInt(0)).isEqualTo(device.pixel(0, 0));
        m.view(4096 * 10 + 40, 4).putInt(0, 0xff336699);
        assertThat(device.pixel(10, 10)).as("writes through the mapping are the guest's VRAM").isEqualTo(0xff336699);
        k.munmap(m);
        Expect.errno(Errno.EINVAL, () -> k.mmap(4096, Linux.PROT_READ, Linux.MAP_PRIVATE, fd, 0x3000));
        Expect.errno(Errno.EINVAL, () -> k.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, fd, 0x1000));
        Expect.errno(Errno.EINVAL, () -> k.mmap((16 << 20) + 4096, Linux.PROT_READ, Linux.MAP_SHARED, fd, 0x3000));
    }

    @Test
    void vramPreadUsesTheWrongBarOffsetLikeTheDriver() throws DeviceException {
        device.guest().setMode(1024, 768);
        device.fill(0xff000000);
        device.setPixel(0, 2, 0xff0a0b0c); // VRAM byte 0x2000 (row 2, stride 4096)
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        k.pread(fd, b, 0x3000);
        assertThat(b.getInt(0)).isEqualTo(0xff0a0b0c);
        assertThatThrownBy(() -> k.pread(fd, ByteBuffer.allocate(4), 0x3000 + (16 << 20) - 4))
                .isInstanceOf(SimViolationError.class).hasMessageContaining("out of bounds");
    }

    @Test
    void vramIsFreedOnCloseButALiveDmabufKeepsItsPages() throws DeviceException {
        device.allowDmaBufMmap(true);
        device.guest().setMode(1024, 768);
        device.fill(0xff445566);
        settle();
        int buf = getDmabuf(1);
        k.close(fd);
        assertThat(device.pixel(100, 100)).as("VRAM reads zeros after the last close").isEqualTo(0xff000000);
        Mapping m = k.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, buf, 0);
        assertThat(m.view(0, 4).getInt(0)).isEqualTo(0xff445566);
        assertThat(host.openFds()).as("the live dma-buf's fd and the memfd of its pages").isEqualTo(2);
        k.munmap(m);
        k.close(buf);
        assertThat(device.liveFds()).isZero();
        assertThat(host.openFds()).isZero();
        assertThat(host.liveMappings()).isZero();
    }

    @Test
    void drawingBeforeTheFirstOpenMovesIntoTheMemfd() throws DeviceException {
        MbochsDevice fresh = MbochsDevice.create(MbochsDevice.Type.SMALL);
        fresh.guest().setMode(640, 480);
        fresh.setPixel(1, 1, 0xff010203);
        OpenDevice d = fresh.open(host);
        Mapping m = d.kernel().mmap(4 << 20, Linux.PROT_READ, Linux.MAP_SHARED, d.fd(), 0x3000);
        assertThat(m.view(640 * 4 + 4, 4).getInt(0)).isEqualTo(0xff010203);
        d.kernel().munmap(m);
        d.kernel().close(d.fd());
    }
}
