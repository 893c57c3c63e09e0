package io.github.scanout.sim;

import static io.github.scanout.sim.Structs.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hooks rewrite the driver's bytes, after it answered, and only where asked. */
class ScriptedDeviceTest {
    final FakeHostKernel host = new FakeHostKernel();

    @Test
    void planeScriptsRewriteTheAnswerButNeverAProbe() throws DeviceException {
        ScriptedDevice scripted = new ScriptedDevice(MdpyDevice.create(MdpyDevice.Type.XGA));
        assertThat(scripted.name()).isEqualTo("sim:mdpy-xga");
        OpenDevice d = scripted.open(host);
        List<String> seen = new ArrayList<>();
        scripted.planes((plane, a) -> {
            seen.add(plane + " " + a.width + "x" + a.height + " stride " + a.stride + " region " + a.bufferId);
            a.stride = 1234;
            a.bufferId = 3;
        });
        assertThat(d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, plane(PROBE | REGION, PRIMARY))).isZero();
        assertThat(seen).as("probes are not scripted").isEmpty();

        ByteBuffer p = plane(REGION, PRIMARY);
        d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, p);
        assertThat(seen).containsExactly("PRIMARY 1024x768 stride 4096 region 16");
        assertThat(stride(p)).isEqualTo(1234);
        assertThat(p.getInt(56)).isEqualTo(3);
        assertThat(width(p)).as("untouched fields as the driver wrote them").isEqualTo(1024);

        scripted.planes((plane, a) -> a.disable());
        d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, p = plane(REGION, PRIMARY));
        assertThat(format(p)).isZero();
        assertThat(width(p)).isZero();
        assertThat(size(p)).isZero();

        scripted.planes((plane, a) -> {
            throw new DeviceException("hostile", Errno.EIO.number());
        });
        Expect.errno(Errno.EIO, () -> d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, plane(REGION, PRIMARY)));

        scripted.planes(null);
        d.kernel().ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, p = plane(REGION, PlaneType.PRIMARY.drmValue()));
        assertThat(stride(p)).isEqualTo(4096);
        d.kernel().close(d.fd());
    }

    @Test
    void regionScriptsRewriteFlagsAndSize() throws DeviceException {
        ScriptedDevice scripted = new ScriptedDevice(MdpyDevice.create(MdpyDevice.Type.XGA));
        OpenDevice d = scripted.open(host);
        List<Integer> asked = new ArrayList<>();
        scripted.regions(r -> {
            asked.add(r.index);
            r.flags &= ~Vfio.REGION_INFO_FLAG_MMAP;
            r.size = 4096;
        });
        ByteBuffer r = region(32, 16, 32);
        d.kernel().ioctl(d.fd(), Vfio.DEVICE_GET_REGION_INFO, r);
        assertThat(asked).containsExactly(16);
        assertThat(r.getInt(4)).isEqualTo(Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE);
        assertThat(r.getLong(16)).isEqualTo(4096);
        assertThat(r.getLong(24)).as("the offset is the driver's").isEqualTo(0x1000);
        d.kernel().close(d.fd());
    }

    @Test
    void getGfxDmabufFailuresAreInjectedBeforeTheDriverSeesTheCall() throws DeviceException {
        ScriptedDevice scripted = new ScriptedDevice(MbochsDevice.create(MbochsDevice.Type.MEDIUM));
        OpenDevice d = scripted.open(host);
        scripted.failGetDmabuf(2, Errno.EAGAIN);
        Expect.errno(Errno.EAGAIN, () -> d.kernel().ioctl(d.fd(), Vfio.DEVICE_GET_GFX_DMABUF, u32(7)));
        Expect.errno(Errno.EAGAIN, () -> d.kernel().ioctl(d.fd(), Vfio.DEVICE_GET_GFX_DMABUF, u32(7)));
        Expect.errno(Errno.ENOENT, () -> d.kernel().ioctl(d.fd(), Vfio.DEVICE_GET_GFX_DMABUF, u32(7)));
        assertThat(scripted.syncs()).isEmpty();
        d.kernel().close(d.fd());
    }
}
