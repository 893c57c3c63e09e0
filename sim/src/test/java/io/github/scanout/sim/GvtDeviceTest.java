package io.github.scanout.sim;

import static io.github.scanout.sim.Structs.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GvtDeviceTest {
    private final FakeHostKernel host = new FakeHostKernel();
    private GvtDevice device;
    private Kernel k;
    private int fd;

    @BeforeEach
    void open() throws DeviceException {
        device = GvtDevice.create();
        OpenDevice d = device.open(host);
        k = d.kernel();
        fd = d.fd();
    }

    private ByteBuffer query(int type) throws DeviceException {
        ByteBuffer p = plane(DMABUF, type);
        k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, p);
        return p;
    }

    private int getDmabuf(int id) throws DeviceException {
        return k.ioctl(fd, Vfio.DEVICE_GET_GFX_DMABUF, u32(id));
    }

    @Test
    void onlyProbeDmabufSucceeds() throws DeviceException {
        assertThat(k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE | DMABUF, PRIMARY))).isZero();
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE | REGION, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(REGION, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(0, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(59, DMABUF, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, plane(DMABUF, OVERLAY)));
        ByteBuffer info = deviceInfo(24);
        k.ioctl(fd, Vfio.DEVICE_GET_INFO, info);
        assertThat(info.getInt(4)).isEqualTo(Vfio.DEVICE_FLAGS_PCI | Vfio.DEVICE_FLAGS_RESET);
        assertThat(info.getInt(8)).isEqualTo(11);
    }

    @Test
    void primaryAndCursorPlanes() throws DeviceException {
        ByteBuffer p = query(PRIMARY);
        assertThat(format(p)).isEqualTo(DrmFormat.XRGB8888.fourcc());
        assertThat(width(p)).isEqualTo(1024);
        assertThat(height(p)).isEqualTo(768);
        assertThat(stride(p)).isEqualTo(4096);
        assertThat(size(p)).isEqualTo(4096 * 768);
        assertThat(modifier(p)).isZero();
        assertThat(id(p)).isEqualTo(1);
        assertThat(xHot(p)).isZero();

        ByteBuffer c = query(CURSOR);
        assertThat(format(c)).isEqualTo(DrmFormat.ARGB8888.fourcc());
        assertThat(width(c)).isEqualTo(64);
        assertThat(height(c)).isEqualTo(64);
        assertThat(stride(c)).isEqualTo(256);
        assertThat(id(c)).isEqualTo(2);
        assertThat(xHot(c)).isZero();
        assertThat(device.cursorPixels()[0] >>> 24).as("the arrow tip is opaque").isEqualTo(0xff);
        assertThat(device.cursorPixels()[63] >>> 24).as("the background is transparent").isZero();
    }

    @Test
    void cursorPositionIsSignedUnlessTheRealDriversSignDropIsAskedFor() throws DeviceException {
        device.moveCursor(-10, -20);
        ByteBuffer c = query(CURSOR);
        assertThat(xPos(c)).isEqualTo(-10);
        assertThat(Integer.toUnsignedLong(yPos(c))).isEqualTo(0xffffffecL);
        device.moveCursor(300, 200);
        ByteBuffer moved = query(CURSOR);
        assertThat(xPos(moved)).isEqualTo(300);
        assertThat(id(moved)).as("moving does not make a new buffer").isEqualTo(id(c));
        device.setCursorSignDropped(true);
        device.moveCursor(-10, 5);
        assertThat(xPos(query(CURSOR))).isEqualTo(10);
    }

    @Test
    void hotspotIsReportedOnlyWhenAtMostTheCursorSize() throws DeviceException {
        device.setCursorHotspot(5, 7);
        ByteBuffer c = query(CURSOR);
        assertThat(xHot(c)).isEqualTo(5);
        assertThat(yHot(c)).isEqualTo(7);
        device.setCursorHotspot(64, 64);
        assertThat(xHot(query(CURSOR))).as("GVT-g checks x_hot <= width").isEqualTo(64);
        device.setCursorHotspot(65, 3);
        ByteBuffer out = query(CURSOR);
        assertThat(xHot(out)).isEqualTo(-1);
        assertThat(yHot(out)).isEqualTo(-1);
        device.clearCursorHotspot();
        assertThat(yHot(query(CURSOR))).isEqualTo(-1);
        device.setCursorSize(128);
        device.setCursorHotspot(100, 100);
        assertThat(xHot(query(CURSOR))).isEqualTo(100);
        assertThatThrownBy(() -> device.setCursorSize(32)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDisabledPlaneLeavesTheCallersStructAsItWas() throws DeviceException {
        device.disablePlane();
        device.showCursor(false);
        for (int type : new int[] {PRIMARY, CURSOR}) {
            ByteBuffer p = plane(DMABUF, type);
            p.putInt(12, 0x1111).putInt(24, 0x2222).putInt(56, 0x3333);
            assertThat(k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, p)).isZero();
            assertThat(format(p)).isEqualTo(0x1111);
            assertThat(width(p)).isEqualTo(0x2222);
            assertThat(id(p)).isEqualTo(0x3333);
            assertThat(format(query(type))).as("a zeroed struct comes back zeroed").isZero();
        }
        device.enablePlane();
        assertThat(width(query(PRIMARY))).isEqualTo(1024);
    }

    @Test
    void idsAreReusedOnceABufferIsFreedSoTheSameIdCanNameAnotherBuffer() throws DeviceException {
        assertThat(id(query(PRIMARY))).isEqualTo(1);
        int buf = getDmabuf(1);
        assertThat(device.bufferObjects()).isEqualTo(1);
        k.close(buf);
        assertThat(device.bufferObjects()).as("GET dropped the initial reference, close the last").isZero();
        device.setMode(800, 600);
        ByteBuffer p = query(PRIMARY);
        assertThat(id(p)).as("the lowest free id again").isEqualTo(1);
        assertThat(width(p)).isEqualTo(800);
    }

    @Test
    void aQueriedBufferLivesUntilFetchedAndReleased() throws DeviceException {
        assertThat(id(query(PRIMARY))).isEqualTo(1);
        device.setMode(800, 600);
        assertThat(id(query(PRIMARY))).as("buffer 1 still holds its initial reference").isEqualTo(2);
        Expect.errno(Errno.EINVAL, () -> getDmabuf(9));
    }

    @Test
    void everyGetExportsANewCloexecDmabufAndRefusesMmapWithEnodev() throws DeviceException {
        int id = id(query(PRIMARY));
        int a = getDmabuf(id);
        int b = getDmabuf(id);
        assertThat(a).isNotEqualTo(b);
        assertThat(device.violations()).isEmpty();
        assertThat(host.cloexec(a)).isTrue();
        assertThat(k.lseek(a, 0, Linux.SEEK_END)).isEqualTo(4096L * 768);
        Expect.errno(Errno.ENODEV, () -> k.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, a, 0));
        Expect.errno(Errno.EINVAL, () -> k.mmap(4096L * 769, Linux.PROT_READ, Linux.MAP_SHARED, a, 0));
        k.close(a);
        assertThat(device.bufferObjects()).isEqualTo(1);
        k.close(b);
        assertThat(device.bufferObjects()).isZero();
        assertThat(device.dmabufGets(id)).isEqualTo(2);
    }

    @Test
    void dmabufSizeIsThePlaneSizeRoundedToAPage() throws DeviceException {
        device.setMode(800, 600);
        ByteBuffer p = query(PRIMARY);
        assertThat(stride(p)).isEqualTo(3200);
        assertThat(size(p)).isEqualTo(3200 * 600);
        int buf = getDmabuf(id(p));
        assertThat(k.lseek(buf, 0, Linux.SEEK_END)).isEqualTo(1921024L);
        k.close(buf);
    }

    @Test
    void allowedMmapShowsTheGuestsPixels() throws DeviceException {
        device.allowDmaBufMmap(true);
        device.setPixel(7, 3, 0xff0000ff);
        int buf = getDmabuf(id(query(PRIMARY)));
        Mapping m = k.mmap(4096L * 768, Linux.PROT_READ, Linux.MAP_SHARED, buf, 0);
        k.close(buf);
        assertThat(m.view(3 * 4096 + 7 * 4, 4).getInt(0)).isEqualTo(0xff0000ff);
        assertThat(device.bufferObjects()).as("the mapping keeps the dma-buf").isEqualTo(1);
        k.munmap(m);
        assertThat(device.bufferObjects()).isZero();
    }

    @Test
    void otherFormatsAndFlipping() throws DeviceException {
        device.setFormat(DrmFormat.RGB565);
        ByteBuffer p = query(PRIMARY);
        assertThat(format(p)).isEqualTo(DrmFormat.RGB565.fourcc());
        assertThat(stride(p)).isEqualTo(2048);
        device.fill(0xffff0000);
        assertThat(device.pixel(3, 3)).isEqualTo(0xffff0000);
        int first = id(p);
        long frame = device.flip();
        int second = id(query(PRIMARY));
        assertThat(second).isNotEqualTo(first);
        device.flip();
        assertThat(id(query(PRIMARY))).as("flipping back picks the first buffer again").isEqualTo(first);
        assertThat(device.frame()).isEqualTo(frame + 1);
        assertThatThrownBy(() -> device.setTiling(Modifier.I915_YF_TILED)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void xTiledPixelsAreReallyTiled() throws DeviceException {
        checkTiling(Modifier.I915_X_TILED, 512, 8);
    }

    @Test
    void yTiledPixelsAreReallyTiled() throws DeviceException {
        checkTiling(Modifier.I915_Y_TILED, 128, 32);
    }

    private void checkTiling(Modifier modifier, int tileWidth, int tileRows) throws DeviceException {
        int w = 600;
        int h = 100;
        device.allowDmaBufMmap(true);
        device.setPrimary(DrmFormat.XRGB8888, modifier, w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                device.setPixel(x, y, colour(x, y));
            }
        }
        ByteBuffer p = query(PRIMARY);
        int stride = stride(p);
        assertThat(modifier(p)).isEqualTo(modifier.value());
        assertThat(stride).isEqualTo((w * 4 + tileWidth - 1) / tileWidth * tileWidth);
        int rows = (h + tileRows - 1) / tileRows * tileRows;
        assertThat(size(p)).isEqualTo(stride * rows);

        byte[] linear = new byte[stride * rows];
        ByteBuffer lin = ByteBuffer.wrap(linear).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                lin.putInt(y * stride + x * 4, colour(x, y));
            }
        }
        byte[] expected = tileByEnumeration(linear, stride, rows, tileWidth, tileRows);

        int buf = getDmabuf(id(p));
        Mapping m = k.mmap(size(p), Linux.PROT_READ, Linux.MAP_SHARED, buf, 0);
        ByteBuffer v = m.view(0, size(p));
        byte[] actual = new byte[size(p)];
        v.get(actual);
        // only the bytes of visible pixels are defined; padding stays zero in both
        assertThat(actual).isEqualTo(expected);
        assertThat(actual).as("tiled memory differs from linear").isNotEqualTo(linear);
        k.munmap(m);
        k.close(buf);
    }

    private static int colour(int x, int y) {
        return 0xff000000 | (x * 37 + y * 11) << 8 & 0xffff00 | (x ^ y) & 0xff;
    }

    /**
     * Reference layout written independently of the sim: walks the tiles in memory order and
     * copies each tile's bytes in the order they are stored. X: rows of 512 bytes. Y: eight
     * OWord (16-byte) columns, each 32 rows deep.
     */
    private static byte[] tileByEnumeration(byte[] linear, int stride, int rows, int tileWidth, int tileRows) {
        byte[] out = new byte[linear.length];
        int pos = 0;
        for (int tileRow = 0; tileRow < rows / tileRows; tileRow++) {
            for (int tileCol = 0; tileCol < stride / tileWidth; tileCol++) {
                if (tileWidth == 512) {
                    for (int r = 0; r < 8; r++) {
                        for (int b = 0; b < 512; b++) {
                            out[pos++] = linear[(tileRow * 8 + r) * stride + tileCol * 512 + b];
                        }
                    }
                } else {
                    for (int ow = 0; ow < 8; ow++) {
                        for (int r = 0; r < 32; r++) {
                            for (int b = 0; b < 16; b++) {
                                out[pos++] = linear[(tileRow * 32 + r) * stride + tileCol * 128 + ow * 16 + b];
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void regionInfoRaisesArgszForCapabilityChains() throws DeviceException {
        ByteBuffer edid = region(32, 10, 32);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, edid);
        assertThat(edid.getInt(0)).isEqualTo(48);
        assertThat(edid.getInt(4) & Vfio.REGION_INFO_FLAG_CAPS).isNotZero();
        assertThat(edid.getInt(12)).isZero();
        assertThat(edid.getLong(24)).isEqualTo(10L << 40);

        ByteBuffer full = region(48, 10, 48);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, full);
        assertThat(full.getInt(12)).isEqualTo(32);
        assertThat(full.getShort(32)).isEqualTo((short) Vfio.REGION_INFO_CAP_TYPE);
        assertThat(full.getInt(40)).isEqualTo(Vfio.REGION_TYPE_GFX);
        assertThat(full.getInt(44)).isEqualTo(Vfio.REGION_SUBTYPE_GFX_EDID);
        assertThat(full.getLong(16)).as("GVT's EDID region is 128 bytes, its blob lies at 0x800").isEqualTo(128);

        ByteBuffer aperture = region(32, 2, 32);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, aperture);
        assertThat(aperture.getInt(0)).isEqualTo(64);
        ByteBuffer sparse = region(64, 2, 64);
        k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, sparse);
        assertThat(sparse.getShort(32)).isEqualTo((short) Vfio.REGION_INFO_CAP_SPARSE_MMAP);
        assertThat(sparse.getInt(40)).as("nr_areas").isEqualTo(1);

        Expect.errno(Errno.EFAULT, () -> k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, region(64, 2, 40)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, region(32, 11, 32)));
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, Vfio.DEVICE_GET_REGION_INFO, region(31, 10, 32)));
    }

    @Test
    void edidRegionChecksLikeGvt() throws DeviceException {
        long base = 10L << 40;
        ByteBuffer up = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, Vfio.EDID_LINK_UP);
        assertThat(k.pwrite(fd, up, base + 20)).isEqualTo(4);
        Expect.errno(Errno.EFAULT, () -> k.pwrite(fd, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0, 129), base + 8));
        Expect.errno(Errno.EFAULT, () -> k.pwrite(fd, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0, 1), base + 12));
        k.pwrite(fd, ByteBuffer.wrap(new byte[4]), base + 0x800); // break the EDID header
        Expect.errno(Errno.EFAULT, () -> k.pwrite(fd, up.duplicate().clear(), base + 20));
        ByteBuffer regs = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        k.pread(fd, regs, base);
        assertThat(regs.getInt(0)).isEqualTo(0x800);
    }

    @Test
    void resetTurnsThePlanesOffAndMmapOfTheDeviceIsRefused() throws DeviceException {
        k.ioctl(fd, Vfio.DEVICE_RESET, null);
        assertThat(format(query(PRIMARY))).isZero();
        assertThat(device.primaryPlane()).isEmpty();
        Expect.errno(Errno.EINVAL, () -> k.mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, fd, 2L << 40));
        Expect.errno(Errno.EFAULT, () -> k.pread(fd, ByteBuffer.allocate(4), 2L << 40));
        ByteBuffer cfg = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
        k.pread(fd, cfg, 7L << 40);
        assertThat(cfg.getShort(0) & 0xffff).isEqualTo(0x8086);
    }

    @Test
    void animateDrawsFramesAndTakesTheCursorOffTheTopLeftEdge() throws DeviceException {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        device.setClock(now::get);
        device.setAnimate(true);
        boolean offLeft = false;
        boolean offTop = false;
        for (int i = 0; i < 200; i++) {
            now.addAndGet(20_000_000L);
            query(PRIMARY);
            ByteBuffer c = query(CURSOR);
            offLeft |= xPos(c) < 0;
            offTop |= yPos(c) < 0;
        }
        assertThat(device.frame()).as("frame 0 was drawn at creation").isEqualTo(200);
        assertThat(offLeft).isTrue();
        assertThat(offTop).isTrue();
        assertThat(device.pixels()[0]).as("the frame counter's black background").isEqualTo(0xff000000);
    }

    @Test
    void aClosedDeviceHoldsNoFdsKeepsTheGuestsPixelsAndDropsItsBufferObjects() throws DeviceException {
        device.setPixel(1, 1, 0xff0f0f0f);
        int id = id(query(PRIMARY));
        query(CURSOR);
        device.allowDmaBufMmap(true);
        int buf = getDmabuf(id);
        k.close(fd);
        assertThat(host.openFds()).as("the dma-buf fd and the memfd it pins").isEqualTo(2);
        Mapping m = k.mmap(8192, Linux.PROT_READ, Linux.MAP_SHARED, buf, 0);
        assertThat(m.view(4096 + 4, 4).getInt(0)).isEqualTo(0xff0f0f0f);
        k.munmap(m);
        k.close(buf);
        assertThat(host.openFds()).isZero();
        assertThat(host.liveMappings()).isZero();
        assertThat(device.pixel(1, 1)).isEqualTo(0xff0f0f0f);
        device.setMode(640, 480);
        OpenDevice again = device.open(host);
        k = again.kernel();
        fd = again.fd();
        // close dropped every object's initial reference (the kernel's intel_vgpu_dmabuf_cleanup):
        // the cursor's went at close, the primary's with its dma-buf, so ids start again at 1
        assertThat(id(query(CURSOR))).as("a new object for the cursor").isEqualTo(1);
        assertThat(id(query(PRIMARY))).isEqualTo(2);
        k.close(fd);
        assertThat(host.openFds()).isZero();
    }

    @Test
    void irqInfo() throws DeviceException {
        ByteBuffer intx = le(16).putInt(0, 16).putInt(8, 0);
        k.ioctl(fd, 0x3B6D, intx);
        assertThat(intx.getInt(12)).isEqualTo(1);
        assertThat(intx.getInt(4)).isEqualTo(1 | 2 | 4);
        Expect.errno(Errno.EINVAL, () -> k.ioctl(fd, 0x3B6D, le(16).putInt(0, 16).putInt(8, 2)));
    }
}
