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
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.Resources;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.source.dmabuf.DmaBufSources;
import io.github.scanout.source.region.RegionSources;
import io.github.scanout.testsupport.RecordingReporter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.junit.jupiter.api.Test;

/**
 * QEMU's dma-buf scanouts ({@code ScanoutDMABUF}, {@code UpdateDMABUF}) without a render node:
 * the test plays QEMU and calls the {@link SurfaceListener} that dbus-java calls, handing it
 * memfds that hold known pictures (this machine has no {@code /dev/udmabuf} and no render node,
 * so no real dma-buf can be made; a memfd is what a dma-buf scanout is mapped as, and the device
 * answers DMA_BUF_IOCTL_SYNC on it, which the host refuses with ENOTTY, as done: docs/qemu-dbus.md).
 * The device presents the fd as a VFIO dma-buf plane and a pipeline with the dma-buf and region
 * plane sources captures it through the dma-buf source, as it captures an mdev's dma-buf.
 */
class QemuDmaBufTest {

    static final Duration WAIT = Duration.ofSeconds(120);
    static final long XR24 = DrmFormat.XRGB8888.fourcc();
    /** {@code <linux/memfd.h>} and {@code <linux/fcntl.h>}. */
    static final int MFD_ALLOW_SEALING = 2;
    static final int F_ADD_SEALS = 1033;

    /** An endpoint whose "QEMU" is the test: it keeps the surface, the host kernel and the gone future. */
    static final class TestEndpoint implements DeviceEndpoint {
        final CompletableFuture<ConsoleSurface> surface = new CompletableFuture<>();
        final CompletableFuture<Kernel> host = new CompletableFuture<>();

        @Override
        public String name() {
            return "qemu-dbus:test";
        }

        @Override
        public OpenDevice open(Kernel kernel) throws DeviceException {
            host.complete(kernel);
            return QemuDbusKernel.open(kernel, name(), (s, g) -> {
                surface.complete(s);
                return () -> { };
            });
        }
    }

    /** A memfd holding a picture: XRGB8888 pixels, row r at r x stride, kept mapped for writing. */
    static final class Picture implements AutoCloseable {
        final Kernel host;
        final int fd;
        final Mapping map;
        final int width;
        final int height;
        final int stride;

        Picture(Kernel host, int width, int height, int stride, int seed) throws DeviceException {
            this(host, width, height, stride, seed, true);
        }

        /** @param sealed whether the memfd is sealed against shrinking (Scanout refuses one that is not) */
        Picture(Kernel host, int width, int height, int stride, int seed, boolean sealed) throws DeviceException {
            this.host = host;
            this.width = width;
            this.height = height;
            this.stride = stride;
            fd = host.memfdCreate("qemu-dmabuf-test", Linux.MFD_CLOEXEC | MFD_ALLOW_SEALING);
            long size = (long) stride * height;
            host.ftruncate(fd, size);
            if (sealed) {
                host.fcntl(fd, F_ADD_SEALS, (int) ConsoleSurface.F_SEAL_SHRINK);
            }
            map = host.mmap(size, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0);
            draw(seed);
        }

        void draw(int seed) {
            ByteBuffer b = map.view(0, stride * height);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    b.putInt(y * stride + x * 4, pixel(x, y, seed));
                }
                for (int pad = width * 4; pad < stride; pad++) {
                    b.put(y * stride + pad, (byte) 0x5a); // padding, never shown
                }
            }
        }

        static int pixel(int x, int y, int seed) {
            return (x * 7 + y * 131 + seed * 977) & 0xFFFFFF;
        }

        /** The pixels, packed (width x 4 bytes a row), as a sink should see them. */
        byte[] expected(int seed) {
            ByteBuffer out = ByteBuffer.allocate(width * 4 * height).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out.putInt(pixel(x, y, seed));
                }
            }
            return out.array();
        }

        /** The fd for QEMU's message; it stays the sender's (as a received one stays dbus-java's). */
        FileDescriptor handOut() {
            return new FileDescriptor(fd);
        }

        @Override
        public void close() throws DeviceException {
            host.munmap(map);
            host.close(fd);
        }
    }

    /** Keeps the packed pixels and size of the last frame. */
    static final class LastFrame implements FrameSink {
        final AtomicReference<Object[]> last = new AtomicReference<>();

        @Override
        public SinkNeeds needs() {
            return SinkNeeds.cpuSnapshots();
        }

        @Override
        public void frame(Frame frame) {
            PlaneBuffer b = frame.primary();
            PlaneInfo info = b.info();
            byte[] packed = new byte[info.width() * 4 * info.height()];
            ByteBuffer px = b.pixels().duplicate();
            for (int y = 0; y < info.height(); y++) {
                px.get(y * info.stride(), packed, y * info.width() * 4, info.width() * 4);
            }
            last.set(new Object[] {info, packed});
        }

        /** Waits (generously) until the last frame is this size and these pixels. */
        void await(int width, int height, byte[] pixels) throws InterruptedException {
            Predicate<Object[]> matches = f -> f != null && ((PlaneInfo) f[0]).width() == width
                && ((PlaneInfo) f[0]).height() == height && java.util.Arrays.equals((byte[]) f[1], pixels);
            long end = System.nanoTime() + WAIT.toNanos();
            while (!matches.test(last.get()) && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            Object[] f = last.get();
            assertThat(f).as("a frame arrived").isNotNull();
            PlaneInfo info = (PlaneInfo) f[0];
            assertThat(info.bufferType()).isEqualTo(BufferType.DMABUF);
            assertThat(info.width() + "x" + info.height()).isEqualTo(width + "x" + height);
            assertThat((byte[]) f[1]).as("the sink's pixels").isEqualTo(pixels);
        }
    }

    static SurfaceListener listener(ConsoleSurface surface, RecordingReporter lines) {
        return new SurfaceListener("qemu-dbus:test", surface, ConditionLog.once(lines));
    }

    static void scanout(SurfaceListener l, FileDescriptor fd, long w, long h, long stride, long fourcc, long modifier,
            boolean y0Top) {
        l.ScanoutDMABUF(fd, new UInt32(w), new UInt32(h), new UInt32(stride), new UInt32(fourcc), new UInt64(modifier),
            y0Top);
    }

    @Test
    void aDmaBufScanoutReachesTheSinkThroughTheDmaBufSource() throws Exception {
        Map<Integer, String> fdsBefore = Resources.fdSnapshot();
        TestEndpoint endpoint = new TestEndpoint();
        GfxDevice device = new Devices(List.of()).open(endpoint);
        ConsoleSurface surface = endpoint.surface.get();
        Kernel host = endpoint.host.get();
        RecordingReporter lines = new RecordingReporter();
        SurfaceListener qemu = listener(surface, lines);
        try (Picture first = new Picture(host, 64, 48, 320, 1); Picture second = new Picture(host, 100, 30, 400, 3)) {
            // stride 320 > 64 x 4: the padding must not reach the sink
            scanout(qemu, first.handOut(), 64, 48, 320, XR24, 0, true);
            try (Pipeline pipeline = Pipeline.builder("dmabuf").device(device)
                    .sources(List.of(DmaBufSources.create(), RegionSources.create())).build()) {
                LastFrame sink = new LastFrame();
                try (SinkHandle handle = pipeline.attach(sink, "last")) {
                    sink.await(64, 48, first.expected(1));

                    // QEMU draws into the same buffer and says where
                    first.draw(2);
                    qemu.UpdateDMABUF(0, 0, 64, 48);
                    sink.await(64, 48, first.expected(2));
                    assertThat(surface.dmaBufUpdates()).isEqualTo(1);

                    // a new buffer of another size replaces it (and closes the first's fd)
                    scanout(qemu, second.handOut(), 100, 30, 400, XR24, 0, true);
                    sink.await(100, 30, second.expected(3));
                    assertThat(surface.dmaBuf().id()).as("a new dmabuf_id per ScanoutDMABUF").isEqualTo(2);

                    qemu.Disable();
                    assertThat(surface.dmaBuf()).isNull();
                    assertThat(device.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY)).as("disabled").isEmpty();
                    assertThat(device.queryPlane(BufferType.DMABUF, PlaneType.CURSOR)).isEmpty();
                }
            }
        }
        assertThat(lines.lines()).as("nothing refused").isEmpty();
        assertThat(buffers(Resources.fdsOpenedSince(fdsBefore))).as("the device's dups of QEMU's fds are closed").isEmpty();
    }

    @Test
    void theDeviceAnswersTheDmaBufAbiLikeAVfioDevice() throws Exception {
        TestEndpoint endpoint = new TestEndpoint();
        GfxDevice device = new Devices(List.of()).open(endpoint);
        ConsoleSurface surface = endpoint.surface.get();
        Kernel host = endpoint.host.get();
        SurfaceListener qemu = listener(surface, new RecordingReporter());
        try (Picture p = new Picture(host, 16, 8, 64, 5)) {
            scanout(qemu, p.handOut(), 16, 8, 64, XR24, 0, true);
            assertThat(device.probe(BufferType.DMABUF)).isTrue();
            assertThat(device.probe(BufferType.REGION)).as("one kind at a time").isFalse();
            PlaneInfo plane = device.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY).orElseThrow();
            assertThat(plane.format()).isEqualTo(DrmFormat.XRGB8888);
            assertThat(plane.modifier().isLinear()).isTrue();
            assertThat(plane.stride()).isEqualTo(64);
            assertThat(plane.bufferId()).isEqualTo(1);
            assertThat(device.queryPlane(BufferType.REGION, PlaneType.PRIMARY)).as("no pixels").isEmpty();
            try (var dmaBuf = device.openDmaBuf(plane); var mapped = dmaBuf.mapReadOnly()) {
                assertThat(dmaBuf.size()).isEqualTo(64 * 8);
                dmaBuf.beginCpuRead(); // ENOTTY from the host on a memfd: nothing to sync
                dmaBuf.endCpuRead();
                assertThat(mapped.view(0, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0))
                    .isEqualTo(Picture.pixel(0, 0, 5));
            }
            // a replaced id is gone, as on a VFIO device
            scanout(qemu, p.handOut(), 16, 8, 64, XR24, 0, true);
            assertThatThrownBy(() -> device.openDmaBuf(plane))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.ENOENT)).isTrue());
        } finally {
            device.close();
        }
        assertThat(surface.dmaBuf()).as("closing the device drops the dma-buf").isNull();
    }

    @Test
    void aSwitchToDmaBufsMakesTheDeviceGoneSoThatItIsReadAgain() throws Exception {
        TestEndpoint endpoint = new TestEndpoint();
        GfxDevice device = new Devices(List.of()).open(endpoint);
        ConsoleSurface surface = endpoint.surface.get();
        try (Picture p = new Picture(endpoint.host.get(), 16, 8, 64, 5)) {
            surface.scanout(4, 4, 16, 0x20020888L, new byte[64]);
            assertThat(device.probe(BufferType.DMABUF)).isFalse();
            assertThat(device.probe(BufferType.REGION)).isTrue();
            scanout(listener(surface, new RecordingReporter()), p.handOut(), 16, 8, 64, XR24, 0, true);
            assertThatThrownBy(() -> device.queryPlane(BufferType.REGION, PlaneType.PRIMARY))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.ENODEV)).isTrue())
                .hasMessageContaining("qemu-dbus:test: QEMU switched the console from pixel to dma-buf scanouts; the"
                    + " device is opened again to read them");
        } finally {
            device.close();
        }
    }

    @Test
    void moreReceivedFdsThanOneConnectionMayHoldMakeTheDeviceReopen() throws Exception {
        Map<Integer, String> fdsBefore = Resources.fdSnapshot();
        TestEndpoint endpoint = new TestEndpoint();
        GfxDevice device = new Devices(List.of()).open(endpoint);
        ConsoleSurface surface = endpoint.surface.get();
        SurfaceListener qemu = listener(surface, new RecordingReporter());
        try (Picture p = new Picture(endpoint.host.get(), 16, 8, 64, 5)) {
            for (int i = 0; i < ConsoleSurface.MAX_RECEIVED_FDS; i++) {
                scanout(qemu, p.handOut(), 16, 8, 64, XR24, 0, true);
            }
            assertThat(device.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY)).get()
                .satisfies(plane -> assertThat(plane.bufferId()).isEqualTo(ConsoleSurface.MAX_RECEIVED_FDS));
            assertThat(outside(Resources.fdsOpenedSince(fdsBefore))).as("the picture's fd and one dup of it")
                .containsExactly("/memfd:qemu-dmabuf-test (deleted)", "/memfd:qemu-dmabuf-test (deleted)");
            scanout(qemu, p.handOut(), 16, 8, 64, XR24, 0, true);
            assertThatThrownBy(() -> device.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.ENODEV)).isTrue())
                .hasMessageContaining("qemu-dbus:test: QEMU sent 256 fds on this connection, which keeps each"
                    + " open until it closes; the device is opened again to release them");
        } finally {
            device.close();
        }
        assertThat(buffers(Resources.fdsOpenedSince(fdsBefore))).isEmpty();
    }

    /** The one line a message makes (a fresh log each, as the condition log reports a field once). */
    static String refusal(ConsoleSurface surface, java.util.function.Consumer<SurfaceListener> message) {
        RecordingReporter lines = new RecordingReporter();
        message.accept(listener(surface, lines));
        assertThat(lines.lines()).hasSize(1);
        return lines.lines().get(0);
    }

    @Test
    void refusedScanoutsAreOneLineEachAndLeaveNothingOpen() throws Exception {
        Map<Integer, String> fdsBefore = Resources.fdSnapshot();
        TestEndpoint endpoint = new TestEndpoint();
        GfxDevice device = new Devices(List.of()).open(endpoint);
        ConsoleSurface surface = endpoint.surface.get();
        Kernel host = endpoint.host.get();
        String refused = "WARNING qemu-dbus:test: QEMU ScanoutDMABUF refused: ";
        try (Picture p = new Picture(host, 64, 48, 256, 1)) {
            assertThat(refusal(surface, q -> scanout(q, handOut(p), 64, 48, 256, 0x20203844L, 0, true)))
                .isEqualTo(refused + "fourcc 0x20203844 is not one Scanout shows: expected one of "
                    + DrmFormat.known().stream().filter(f -> !f.equals(DrmFormat.C8)).toList());
            assertThat(refusal(surface, q -> scanout(q, handOut(p), 64, 48, 100, XR24, 0, true)))
                .isEqualTo(refused + "stride 100 is below width x bytes per pixel (256 for 64 x XR24)");
            assertThat(refusal(surface, q -> scanout(q, handOut(p), 16384, 16384, 1 << 20, XR24, 0, true)))
                .isEqualTo(refused + "layout size 17178886144 is more than the 4294967295 bytes a plane's size holds");
            assertThat(refusal(surface, q -> scanout(q, handOut(p), 64, 49, 256, XR24, 0, true)))
                .isEqualTo(refused + "fd size 12288 is less than the layout needs (12544 bytes for 64 x 49, stride 256)");
            assertThat(refusal(surface, q -> scanout(q, handOut(p), 64, 48, 256, XR24, 0x0200_0000_0000_0001L, true)))
                .isEqualTo(refused + "modifier 0x200000000000001 is not LINEAR, I915_X_TILED, I915_Y_TILED or"
                    + " I915_YF_TILED");
            assertThat(refusal(surface, q -> scanout(q, handOut(p), 64, 48, 256, XR24, 0, false)))
                .isEqualTo(refused + "y0_top false (a bottom-up buffer) is not shown: Scanout reads top-down planes only");
            int closed = host.dup(p.fd);
            host.close(closed);
            assertThat(refusal(surface, q -> scanout(q, new FileDescriptor(closed), 64, 48, 256, XR24, 0, true)))
                .startsWith(refused + "fd " + closed + " is not an open fd: ");
            int devNull = host.open("/dev/null", 0);
            assertThat(refusal(surface, q -> scanout(q, new FileDescriptor(devNull), 64, 48, 256, XR24, 0, true)))
                .isEqualTo(refused + "fd " + devNull + " (/dev/null) is not a dma-buf or a memfd");
            assertThat(outside(Resources.fdsOpenedSince(fdsBefore))).as("the sender's fds stay open")
                .containsExactlyInAnyOrder("/dev/null", "/memfd:qemu-dmabuf-test (deleted)");
            host.close(devNull);
            try (Picture unsealed = new Picture(host, 64, 48, 256, 1, false)) {
                assertThat(refusal(surface, q -> scanout(q, unsealed.handOut(), 64, 48, 256, XR24, 0, true)))
                    .isEqualTo(refused + "fd " + unsealed.fd + " (/memfd:qemu-dmabuf-test (deleted)) is a memfd without"
                        + " F_SEAL_SHRINK: its sender could shrink it under the mapping (SIGBUS)");
            }
            assertThat(refusal(surface, q -> scanout(q, null, 64, 48, 256, XR24, 0, true)))
                .isEqualTo(refused + "fd -1 is not an fd (none came with the message)");
            String update = "WARNING qemu-dbus:test: QEMU UpdateDMABUF refused: ";
            assertThat(refusal(surface, q -> q.UpdateDMABUF(0, 0, 1, 1)))
                .isEqualTo(update + "rectangle 0,0 1x1 comes with no ScanoutDMABUF before it (or after Disable or a"
                    + " Scanout)");
            assertThat(surface.counts()).as("accepted, refused").containsExactly(0, 11);
            scanout(listener(surface, new RecordingReporter()), handOut(p), 64, 48, 256, XR24, 0, true);
            assertThat(refusal(surface, q -> q.UpdateDMABUF(60, 0, 5, 1)))
                .isEqualTo(update + "x + width 65 is more than the dma-buf's width 64");
            assertThat(refusal(surface, q -> q.UpdateDMABUF(0, -1, 1, 1))).isEqualTo(update + "y -1 is negative");
            assertThat(surface.dmaBuf()).as("refusals leave the accepted dma-buf").isNotNull();
        } finally {
            device.close();
        }
        assertThat(buffers(Resources.fdsOpenedSince(fdsBefore))).as("the accepted one's dup is closed with the device")
            .isEmpty();
    }

    /** The memfds, dma-bufs and /dev/null among fds (the JVM opens others lazily, /dev/urandom for one). */
    static Map<Integer, String> buffers(Map<Integer, String> fds) {
        Map<Integer, String> out = new java.util.TreeMap<>(fds);
        out.values().removeIf(t -> !(t.contains("memfd:") || t.contains("dmabuf") || t.equals("/dev/null")));
        return out;
    }

    /** The buffers among fds that are not the device's own memfds (its region and device fd). */
    static List<String> outside(Map<Integer, String> fds) {
        return buffers(fds).values().stream().filter(t -> !t.contains("scanout-qemu-dbus")).toList();
    }

    static FileDescriptor handOut(Picture p) {
        return p.handOut();
    }
}
