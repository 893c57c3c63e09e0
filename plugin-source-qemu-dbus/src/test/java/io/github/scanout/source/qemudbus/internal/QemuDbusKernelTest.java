package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.core.Devices;
import io.github.scanout.source.region.RegionSources;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link QemuDbusKernel} without QEMU: a surface filled by the test (as the listener fills it)
 * read through core's device layer (VFIO_DEVICE_GET_INFO, QUERY_GFX_PLANE and its validation,
 * region info) and the region plane source (mmap of the region), as a pipeline reads it.
 */
class QemuDbusKernelTest {

    static final long XRGB = 0x20020888L;

    /** An endpoint whose "connection" is the test: it keeps the surface and counts closes. */
    static final class TestEndpoint implements DeviceEndpoint {
        final CompletableFuture<ConsoleSurface> surface = new CompletableFuture<>();
        final CompletableFuture<CompletableFuture<String>> gone = new CompletableFuture<>();
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public String name() {
            return "qemu-dbus:test";
        }

        @Override
        public OpenDevice open(Kernel host) throws DeviceException {
            return QemuDbusKernel.open(host, name(), (s, g) -> {
                surface.complete(s);
                gone.complete(g);
                return closed::incrementAndGet;
            });
        }
    }

    @Test
    void aSurfaceReadsAsARegionDeviceThroughCoreAndTheRegionSource() throws Exception {
        TestEndpoint endpoint = new TestEndpoint();
        GfxDevice device = new Devices(List.of()).open(endpoint);
        ConsoleSurface surface = endpoint.surface.get();
        try (PlaneSession session = RegionSources.create().open(device)) {
            assertThat(device.probe(BufferType.REGION)).isTrue();
            assertThat(device.probe(BufferType.DMABUF)).isFalse();
            assertThat(device.queryPlane(BufferType.REGION, PlaneType.PRIMARY)).as("no Scanout yet").isEmpty();
            assertThat(session.acquire(PlaneType.PRIMARY, true)).isEmpty();

            byte[] data = new byte[640 * 4 * 480];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 7);
            }
            surface.scanout(640, 480, 2560, XRGB, data);
            Optional<PlaneInfo> plane = device.queryPlane(BufferType.REGION, PlaneType.PRIMARY);
            assertThat(plane).get().satisfies(p -> {
                assertThat(p.format()).isEqualTo(DrmFormat.XRGB8888);
                assertThat(p.width()).isEqualTo(640);
                assertThat(p.height()).isEqualTo(480);
                assertThat(p.stride()).isEqualTo(2560);
                assertThat(p.size()).isEqualTo(2560L * 480);
            });
            try (PlaneBuffer frame = session.acquire(PlaneType.PRIMARY, true).orElseThrow()) {
                assertThat(bytes(frame)).isEqualTo(data);
            }

            // a damaged rectangle shows in the next frame; a smaller scanout reuses the region
            surface.update(10, 20, 1, 1, 4, XRGB, new byte[] {1, 2, 3, 4});
            try (PlaneBuffer frame = session.acquire(PlaneType.PRIMARY, true).orElseThrow()) {
                ByteBuffer px = frame.pixels();
                assertThat(px.get(20 * 2560 + 40)).isEqualTo((byte) 1);
                assertThat(px.get(20 * 2560 + 43)).isEqualTo((byte) 4);
            }
            surface.scanout(320, 200, 1280, XRGB, new byte[1280 * 200]);
            try (PlaneBuffer frame = session.acquire(PlaneType.PRIMARY, false).orElseThrow()) {
                assertThat(frame.info().width()).isEqualTo(320);
                assertThat(bytes(frame)).containsOnly(0);
            }
            surface.disable();
            assertThat(session.acquire(PlaneType.PRIMARY, true)).isEmpty();
            assertThat(device.queryPlane(BufferType.REGION, PlaneType.CURSOR)).isEmpty();
        }
        device.close();
        assertThat(endpoint.closed).as("closing the device closes the connection once").hasValue(1);
        assertThat(endpoint.gone.get()).as("a device closed here is not gone").isCompletedWithValue(null);
    }

    @Test
    void goneMakesTheDeviceRefuseWithTheReason() throws Exception {
        TestEndpoint endpoint = new TestEndpoint();
        GfxDevice device = new Devices(List.of()).open(endpoint);
        endpoint.surface.get().scanout(4, 4, 16, XRGB, new byte[64]);
        assertThat(device.queryPlane(BufferType.REGION, PlaneType.PRIMARY)).isPresent();
        endpoint.gone.get().complete("QEMU ended the D-Bus display connection of console 0 of qemu-dbus:test");
        assertThatThrownBy(() -> device.queryPlane(BufferType.REGION, PlaneType.PRIMARY))
            .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.ENODEV)).isTrue())
            .hasMessageContaining("QEMU ended the D-Bus display connection");
        device.close();
        assertThat(endpoint.closed).hasValue(1);
    }

    @Test
    void theCursorIsACursorPlaneInItsOwnRegion() throws Exception {
        TestEndpoint endpoint = new TestEndpoint();
        GfxDevice device = new Devices(List.of()).open(endpoint);
        ConsoleSurface surface = endpoint.surface.get();
        try {
            byte[] image = new byte[32 * 32 * 4];
            for (int i = 0; i < image.length; i++) {
                image[i] = (byte) (i * 13);
            }
            surface.cursorDefine(32, 32, 3, 4, image);
            surface.mouseSet(200, 100, 1);
            PlaneInfo cursor = device.queryPlane(BufferType.REGION, PlaneType.CURSOR).orElseThrow();
            assertThat(cursor.format()).isEqualTo(DrmFormat.ARGB8888);
            assertThat(cursor.width()).isEqualTo(32);
            assertThat(cursor.x()).isEqualTo(197);
            assertThat(cursor.y()).isEqualTo(96);
            assertThat(cursor.hotspot()).get().isEqualTo(new io.github.scanout.api.Hotspot(3, 4));
            assertThat(cursor.bufferId()).isEqualTo(QemuDbusKernel.CURSOR_REGION_INDEX);
            try (var mapped = device.mapRegion(QemuDbusKernel.CURSOR_REGION_INDEX)) {
                byte[] back = new byte[image.length];
                mapped.view(0, image.length).get(0, back);
                assertThat(back).isEqualTo(image);
            }
            surface.mouseSet(200, 100, 0);
            assertThat(device.queryPlane(BufferType.REGION, PlaneType.CURSOR)).as("hidden").isEmpty();
        } finally {
            device.close();
        }
    }

    @Test
    void theDeviceAnswersOnlyItsTwoReadOnlyRegions() throws Exception {
        TestEndpoint endpoint = new TestEndpoint();
        GfxDevice device = new Devices(List.of()).open(endpoint);
        try {
            assertThat(device.info().numRegions()).isEqualTo(2);
            assertThat(device.regionInfo(0).size()).isEqualTo(QemuDbusKernel.REGION_SIZE);
            assertThat(device.regionInfo(0).readable()).isTrue();
            assertThat(device.regionInfo(1).size()).isEqualTo(256 * 256 * 4);
            assertThat(device.regionInfo(1).offset()).isEqualTo(QemuDbusKernel.REGION_SIZE);
            assertThatThrownBy(() -> device.regionInfo(2)).isInstanceOfSatisfying(DeviceException.class,
                e -> assertThat(e.is(Errno.EINVAL)).isTrue());
            assertThatThrownBy(() -> device.writeRegion(0, 0, ByteBuffer.allocate(4))).isInstanceOf(DeviceException.class);
            assertThat(device.edid()).isEmpty();
        } finally {
            device.close();
        }
    }

    @Test
    void aConnectionThatFailsLeavesNothingOpen() {
        DeviceEndpoint failing = new DeviceEndpoint() {
            @Override
            public String name() {
                return "qemu-dbus:failing";
            }

            @Override
            public OpenDevice open(Kernel host) throws DeviceException {
                return QemuDbusKernel.open(host, name(), (s, g) -> {
                    throw new java.io.IOException("QMP socket /nowhere closed before the reply to getfd");
                });
            }
        };
        long before = memfds();
        assertThatThrownBy(() -> new Devices(List.of()).open(failing)).isInstanceOf(DeviceException.class)
            .hasMessage("qemu-dbus:failing: QMP socket /nowhere closed before the reply to getfd");
        assertThat(memfds()).isEqualTo(before);
    }

    /** The memfds this process holds that a qemu-dbus device made. */
    static long memfds() {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.filter(p -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(p).toString().contains("scanout-qemu-dbus");
                } catch (java.io.IOException e) {
                    return false;
                }
            }).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] bytes(PlaneBuffer frame) {
        ByteBuffer px = frame.pixels().duplicate();
        byte[] b = new byte[(int) frame.info().requiredBytes()];
        px.get(0, b);
        return b;
    }
}
