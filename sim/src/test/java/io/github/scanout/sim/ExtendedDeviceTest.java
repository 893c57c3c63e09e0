package io.github.scanout.sim;

import static io.github.scanout.sim.Structs.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** A vendor's buffer type added below the marshalling: its flag, its region, nothing else changed. */
class ExtendedDeviceTest {
    static final int FLAG = 0x10;
    static final long BASE = 20L << 40;
    final FakeHostKernel host = new FakeHostKernel();

    /** Answers the primary plane as 16x16 XR24 in slot 1 of region 20, after writing a marker there. */
    static class Type implements SimBufferType {
        @Override
        public BufferType bufferType() {
            return new BufferType("test", FLAG);
        }

        @Override
        public Region region(SimDevice device) {
            return new Region(20, 8192);
        }

        @Override
        public void answer(SimDevice device, PlaneType plane, ByteBuffer region, ScriptedDevice.Answer a) {
            if (plane != PlaneType.PRIMARY) {
                return;
            }
            region.putInt(4096, 0xCAFE);
            a.format = 0x34325258;
            a.width = 16;
            a.height = 16;
            a.stride = 64;
            a.size = 4096;
            a.bufferId = 20 << 16 | 1;
        }
    }

    @Test
    void answersItsFlagAndRegionAndLeavesTheDriversOwnAnswersAlone() throws DeviceException {
        ExtendedDevice device = ExtendedDevice.of(MdpyDevice.create(MdpyDevice.Type.XGA), new Type());
        int before = host.openFds();
        OpenDevice d = device.open(host);
        assertThat(d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE | FLAG, PRIMARY))).isZero();
        assertThat(d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE | REGION, PRIMARY))).isZero();
        Expect.errno(Errno.EINVAL, () -> d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE | 0x20, PRIMARY)));
        Expect.errno(Errno.EINVAL, () -> d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, plane(56, FLAG, PRIMARY)));

        ByteBuffer p = plane(FLAG, PRIMARY);
        d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, p);
        assertThat(p.getInt(4)).isEqualTo(FLAG);
        assertThat(width(p)).isEqualTo(16);
        assertThat(size(p)).isEqualTo(4096);
        assertThat(id(p)).isEqualTo(20 << 16 | 1);
        ByteBuffer cursor = plane(FLAG, CURSOR);
        d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, cursor);
        assertThat(format(cursor)).as("left disabled").isZero();
        ByteBuffer own = plane(REGION, PRIMARY);
        d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, own);
        assertThat(id(own)).as("the driver's region plane").isEqualTo(16);

        ByteBuffer r = region(32, 20, 32);
        d.kernel().ioctl(d.fd(), Vfio.DEVICE_GET_REGION_INFO, r);
        assertThat(r.getInt(4)).isEqualTo(Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE
                | Vfio.REGION_INFO_FLAG_MMAP);
        assertThat(r.getLong(16)).isEqualTo(8192);
        assertThat(r.getLong(24)).isEqualTo(BASE);

        ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(d.kernel().pread(d.fd(), word, BASE + 4096)).isEqualTo(4);
        assertThat(word.getInt(0)).isEqualTo(0xCAFE);
        Mapping m = d.kernel().mmap(4096, Linux.PROT_READ, Linux.MAP_SHARED, d.fd(), BASE + 4096);
        assertThat(m.view(0, 4).getInt(0)).isEqualTo(0xCAFE);
        d.kernel().munmap(m);
        Expect.errno(Errno.EINVAL, () -> d.kernel().pread(d.fd(), ByteBuffer.allocate(8), BASE + 8188));

        d.kernel().close(d.fd());
        assertThat(host.openFds()).as("the region's memfd closed with the device").isEqualTo(before);
        assertThat(host.liveMappings()).isZero();
    }

    @Test
    void aVanishedDeviceAnswersEnodevForTheAddedTypeToo() throws DeviceException {
        MdpyDevice guest = MdpyDevice.create(MdpyDevice.Type.VGA);
        OpenDevice d = ExtendedDevice.of(guest, new Type()).open(host);
        guest.vanish();
        Expect.errno(Errno.ENODEV, () -> d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, plane(FLAG, PRIMARY)));
        Expect.errno(Errno.ENODEV, () -> d.kernel().pread(d.fd(), ByteBuffer.allocate(4), BASE));
        d.kernel().close(d.fd());
    }

    @Test
    void theKernelsOwnFlagsAreRefused() {
        SimBufferType dmabuf = new Type() {
            @Override
            public BufferType bufferType() {
                return BufferType.DMABUF;
            }
        };
        assertThatThrownBy(() -> ExtendedDevice.of(MdpyDevice.create(MdpyDevice.Type.VGA), dmabuf))
                .hasMessage("buffer type dmabuf uses the kernel's flag 0x2; a vendor type needs a bit of its own (8 and above)");
    }

    @Test
    void theProviderResolvesItsSchemeToOneDevicePerSpec() throws DeviceException {
        DeviceProvider provider = ExtendedDevice.provider("test", new Type());
        assertThat(provider.scheme()).isEqualTo("test");
        ExtendedDevice d = (ExtendedDevice) provider.resolve("test:mdpy-vga");
        assertThat(d.name()).isEqualTo("test:mdpy-vga");
        assertThat(d.guest().isAnimating()).isTrue();
        assertThat(provider.resolve("test:mdpy-vga")).isSameAs(d);
        assertThatThrownBy(() -> provider.resolve("sim:mdpy-vga")).isInstanceOf(DeviceException.class)
                .hasMessage("device spec 'sim:mdpy-vga' does not start with test:");
        assertThatThrownBy(() -> provider.resolve("test:nope")).isInstanceOf(DeviceException.class)
                .hasMessageStartingWith("test:nope: ").hasMessageEndingWith("(test: takes what follows sim:)");
        assertThatThrownBy(() -> ExtendedDevice.provider("sim", new Type())).isInstanceOf(IllegalArgumentException.class);
    }
}
