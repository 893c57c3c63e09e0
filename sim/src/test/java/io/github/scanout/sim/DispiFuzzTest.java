package io.github.scanout.sim;

import static io.github.scanout.sim.Structs.DMABUF;
import static io.github.scanout.sim.Structs.PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Vfio;
import io.github.scanout.testsupport.FuzzBytes;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Fuzzes the simulated mbochs' Bochs DISPI register model: a guest writes any registers in any
 * order ({@link Guest}), and the device derives its plane from them alone, as the kernel sample
 * does.
 *
 * <p>Input: byte 0 picks the mdev type (small or medium); then operations, one byte each
 * followed by their arguments: write a register (index byte, 16-bit value), write out of range
 * (index byte, 32-bit value), read, 32-bit write, set a mode (width, height, bpp), pan, virtual
 * size, query the primary plane (and take its dma-buf), read the EDID window, draw a frame,
 * disable.
 *
 * <p>Contract: register accesses with a bad index or value are IllegalArgumentExceptions naming
 * the register; a plane the device reports is a mode inside VRAM that matches the registers
 * (XRGB8888, linear, 64x64 or more, stride from the virtual width, size = stride x height) and
 * its dma-buf is exactly that size; queries fail only with the driver's errnos (ENOMEM for a new
 * mode, EINVAL for a framebuffer not page-aligned); no driver rule is broken and every fd the
 * device handed out is closed with it.
 */
class DispiFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void registers(byte[] data) throws DeviceException {
        FuzzBytes in = new FuzzBytes(data);
        MbochsDevice device = MbochsDevice.create(in.bool() ? MbochsDevice.Type.MEDIUM : MbochsDevice.Type.SMALL);
        FakeHostKernel host = new FakeHostKernel();
        OpenDevice od = device.open(host);
        Kernel k = od.kernel();
        Guest g = device.guest();
        int ops = 0;
        while (in.hasMore() && ops++ < 64) {
            switch (in.u8() % 12) {
                case 0 -> g.write(in.u8() % Guest.VIDEO_MEMORY_64K, in.u16());
                case 1 -> outOfRange(g, in.u8(), in.u32());
                case 2 -> assertThat(g.read(in.u8() % (Guest.VIDEO_MEMORY_64K + 1))).isBetween(0, 0xffff);
                case 3 -> g.write32(in.u8() % (Guest.VIDEO_MEMORY_64K + 1), in.u32());
                case 4 -> g.setMode(in.u16(), in.u16(), in.pick(32, 32, 24, 16, 8, 0, in.u8()));
                case 5 -> g.pan(in.u16(), in.u16());
                case 6 -> g.setVirtualSize(in.u16(), in.u16());
                case 7, 8 -> query(device, k, od.fd());
                case 9 -> {
                    int n = in.u16() % 0x500;
                    assertThat(edid(g, n)).hasSize(n);
                }
                case 10 -> draw(device);
                default -> g.disable();
            }
            assertThat(device.violations()).as("driver rules broken").isEmpty();
        }
        k.close(od.fd());
        assertThat(device.liveFds()).as("simulated fds after close").isZero();
    }

    private static void outOfRange(Guest g, int index, int value) {
        try {
            g.write(index, value);
            assertThat(index).isBetween(0, Guest.VIDEO_MEMORY_64K);
            assertThat(value).isBetween(0, 0xffff);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).contains("register").contains(Integer.toString(index < 0 || index > 10 ? index : value));
        }
    }

    private static byte[] edid(Guest g, int n) {
        try {
            return g.readEdid(n);
        } catch (IllegalArgumentException e) {
            assertThat(n).isGreaterThan(0x400);
            assertThat(e.getMessage()).contains("EDID").contains(Integer.toString(n));
            return new byte[n];
        }
    }

    private static void draw(MbochsDevice device) {
        try {
            device.drawNextFrame();
            assertThat(device.primaryPlane()).isPresent();
        } catch (IllegalStateException e) {
            assertThat(device.primaryPlane()).isEmpty();
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    private static void query(MbochsDevice device, Kernel k, int fd) throws DeviceException {
        Guest g = device.guest();
        ByteBuffer p = Structs.plane(DMABUF, PRIMARY);
        try {
            k.ioctl(fd, Vfio.DEVICE_QUERY_GFX_PLANE, p);
        } catch (DeviceException e) {
            assertThat(e.is(Errno.ENOMEM)).as("only a new mode fails a query: %s", e.getMessage()).isTrue();
            return;
        }
        Optional<SimPlane> plane = device.primaryPlane();
        int format = Structs.format(p);
        if (format == 0) {
            assertThat(Structs.width(p)).isZero();
            assertThat(plane).isEmpty();
            return;
        }
        int width = Structs.width(p);
        int height = Structs.height(p);
        int stride = Structs.stride(p);
        long size = Integer.toUnsignedLong(Structs.size(p));
        assertThat(format).isEqualTo(DrmFormat.XRGB8888.fourcc());
        assertThat(Structs.modifier(p)).isZero();
        assertThat(g.read(Guest.ENABLE) & Guest.ENABLED).isNotZero();
        assertThat(g.read(Guest.BPP)).isEqualTo(32);
        assertThat(width).isEqualTo(g.read(Guest.XRES)).isBetween(64, 0xffff);
        assertThat(height).isEqualTo(g.read(Guest.YRES)).isBetween(64, 0xffff);
        assertThat(stride).isEqualTo(Math.max(g.read(Guest.VIRT_WIDTH), width) * 4);
        assertThat(size).isEqualTo((long) stride * height).isLessThanOrEqualTo(device.vramSize());
        long offset = (long) g.read(Guest.X_OFFSET) * 4 + (long) g.read(Guest.Y_OFFSET) * stride;
        assertThat(offset + size).isLessThanOrEqualTo(device.vramSize());
        assertThat(plane).contains(new SimPlane(DrmFormat.XRGB8888, io.github.scanout.api.Modifier.LINEAR, width, height,
                stride));
        int id = p.getInt(56);
        int dmabuf;
        try {
            dmabuf = k.ioctl(fd, Vfio.DEVICE_GET_GFX_DMABUF, Structs.u32(id));
        } catch (DeviceException e) {
            assertThat(e.is(Errno.EINVAL)).as(e.getMessage()).isTrue();
            assertThat(offset % Linux.PAGE_SIZE).as("only an unaligned framebuffer is refused").isNotZero();
            return;
        }
        try {
            assertThat(offset % Linux.PAGE_SIZE).isZero();
            assertThat(k.lseek(dmabuf, 0, Linux.SEEK_END)).as("dma-buf size").isEqualTo(size);
        } finally {
            k.close(dmabuf);
        }
    }
}
