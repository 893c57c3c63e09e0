package io.github.scanout.sink.video.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.support.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero copy where GStreamer offers it: the sink asks GStreamer (a caps query through the
 * pipeline) whether it takes {@code video/x-raw(memory:DMABuf)}, and says once which path it took
 * and why.
 *
 * <p>This machine has no GPU, no {@code /dev/udmabuf} and no {@code /dev/dma_heap}, so no real
 * dma-buf can be made here, and the simulated devices' dma-bufs are fds of the simulated kernel,
 * not of this process. The dma-buf path is therefore tested with a memfd standing in for a
 * CPU-mappable dma-buf (GStreamer's dma-buf allocator maps it as it would map one) into a
 * pipeline that accepts only {@code memory:DMABuf} and writes what it maps to a file.
 */
class ZeroCopyTest {
    @TempDir
    Path dir;

    final List<String> logged = new ArrayList<>();
    final Reporter log = (level, message) -> {
        synchronized (logged) {
            logged.add(level + " " + message);
        }
    };

    List<String> lines(String containing) {
        synchronized (logged) {
            return logged.stream().filter(l -> l.contains(containing)).toList();
        }
    }

    VideoSink start(Map<String, Object> config) {
        return VideoSinkComponent.start(config, VideoSinkComponent.PID, VideoSinkComponent.KEYS, false, log);
    }

    @Test
    void theSinksOwnPipelinesTakeTheCpuPathAndSaySoOnce() throws Exception {
        VideoSink sink = start(RecordingTest.config(dir.resolve("a.mp4").toString()));
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        try {
            assertTrue(sink.needs().cpuPixels(), "the importer chain reads dma-bufs for it");
            for (int i = 0; i < 20; i++) {
                SimFrames.deliver(sink, sim.next());
                Thread.sleep(20);
            }
        } finally {
            sink.close();
        }
        List<String> said = lines("frames go to GStreamer in CPU memory");
        assertEquals(1, said.size(), logged.toString());
        assertTrue(said.get(0).contains("does not take video/x-raw(memory:DMABuf)"), said.get(0));
        assertTrue(lines("memory:DMABuf (zero copy)").isEmpty(), logged.toString());

        VideoSink cursor = start(RecordingTest.config(dir.resolve("b.mkv").toString(), "cursor", "true", "pipeline",
                "queue ! fakesink", "path", ""));
        cursor.close();
        assertTrue(cursor.needs().cpuPixels());
        assertTrue(lines("cursor=true draws the cursor").size() == 1, logged.toString());
    }

    interface C extends Library {
        int memfd_create(String name, int flags);

        long write(int fd, byte[] bytes, long count);

        int close(int fd);
    }

    static final C LIBC = Native.load("c", C.class);

    /** A memfd standing in for a CPU-mappable dma-buf. */
    record MemfdDmaBuf(int fd, long size) implements DmaBuf {
        @Override
        public DmaBuf duplicate() {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedMemory mapReadOnly() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void beginCpuRead() {}

        @Override
        public void endCpuRead() {}

        @Override
        public void close() {
            LIBC.close(fd);
        }
    }

    @Test
    void aDmaBufGoesToAPipelineThatTakesDmaBufMemoryAsItIs() throws Exception {
        int w = 64;
        int h = 32;
        int stride = w * 4;
        byte[] pixels = new byte[stride * h];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7 + i / stride);
        }
        int fd = LIBC.memfd_create("scanout-test-dmabuf", 1 /* MFD_CLOEXEC */);
        assertTrue(fd >= 0, "memfd_create");
        assertEquals(pixels.length, LIBC.write(fd, pixels, pixels.length));
        MemfdDmaBuf dmaBuf = new MemfdDmaBuf(fd, pixels.length);
        Path raw = dir.resolve("frames.raw");
        // the capsfilter refuses anything but dma-buf memory; filesink maps each buffer and writes it
        Map<String, Object> config = new HashMap<>(Map.of("device", "sim", "pipeline",
                "capsfilter caps=video/x-raw(memory:DMABuf) ! filesink location=" + raw));
        ConfigFor c = new ConfigFor(config);
        VideoSink sink = new VideoSink(Gst.load(), c.options, "x264enc", "zero-copy", log,
                GstPipeline.takesDmaBuf(Gst.load(), Descriptions.of(c.options, "x264enc", w, h), "BGRx"), f -> f == fd);
        try {
            assertFalse(sink.needs().cpuPixels(), "it asks for buffers as the device hands them out");
            PlaneInfo info = new PlaneInfo(PlaneType.PRIMARY, BufferType.DMABUF, DrmFormat.XRGB8888, Modifier.LINEAR, w,
                    h, stride, pixels.length, 0, 0, Optional.empty(), 3);
            PlaneBuffer b = PlaneBuffer.dmaBufOnly(info, dmaBuf, null);
            Frame f = new Frame("sim", 1, System.nanoTime(), System.currentTimeMillis(), b, CursorState.hidden());
            try {
                sink.frame(f);
            } finally {
                b.close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sink.pushed() < 10 && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
        } finally {
            sink.close();
            dmaBuf.close();
        }
        assertTrue(sink.pushed() >= 10, "pushed " + sink.pushed() + ", dropped " + sink.dropped());
        assertEquals("", sink.output().lastError(), "negotiated memory:DMABuf");
        byte[] written = Files.readAllBytes(raw);
        assertTrue(written.length >= 10L * pixels.length, written.length + " bytes");
        assertEquals(0, written.length % pixels.length, written.length + " bytes");
        for (int at = 0; at < written.length; at += pixels.length) {
            assertArrayEquals(pixels, Arrays.copyOfRange(written, at, at + pixels.length), "frame at " + at);
        }
        assertEquals(1, lines("memory:DMABuf (zero copy)").size(), logged.toString());
    }

    @Test
    void aSimulatedDevicesDmaBufIsNotTakenForOneOfThisProcess() throws Exception {
        int w = 64;
        int h = 32;
        Map<String, Object> config = new HashMap<>(Map.of("device", "sim", "pipeline", "queue ! fakesink"));
        ConfigFor c = new ConfigFor(config);
        VideoSink sink = new VideoSink(Gst.load(), c.options, "x264enc", "sim-dmabuf", log, true, f -> false);
        try {
            PlaneInfo info = new PlaneInfo(PlaneType.PRIMARY, BufferType.DMABUF, DrmFormat.XRGB8888, Modifier.LINEAR, w,
                    h, w * 4, w * h * 4L, 0, 0, Optional.empty(), 3);
            for (int i = 0; i < 3; i++) {
                PlaneBuffer b = PlaneBuffer.dmaBufOnly(info, new MemfdDmaBuf(12345, w * h * 4L), null);
                try {
                    sink.frame(new Frame("sim", i, System.nanoTime(), System.currentTimeMillis(), b, CursorState.hidden()));
                } finally {
                    b.close();
                }
            }
        } finally {
            sink.close();
        }
        assertEquals(3, sink.dropped(), "dropped, counted");
        assertEquals(0, sink.pushed());
        List<String> said = lines("cannot go to GStreamer as memory:DMABuf");
        assertEquals(1, said.size(), logged.toString());
        assertTrue(said.get(0).contains("not a dma-buf of this process"), said.get(0));
    }

    /** A checked configuration of the video sink. */
    static final class ConfigFor {
        final VideoOptions options;

        ConfigFor(Map<String, Object> config) {
            options = VideoOptions.read(new io.github.scanout.api.support.ConfigReader("test", VideoSinkComponent.KEYS,
                    config), false);
        }
    }
}
