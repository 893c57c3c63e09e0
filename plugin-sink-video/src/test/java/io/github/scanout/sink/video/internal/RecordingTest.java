package io.github.scanout.sink.video.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.scanout.api.support.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recordings of a simulated device, read back with the real ffprobe and ffmpeg. Small sizes and
 * x264's fastest preset, so that they hold on a loaded machine; the frame count and duration are
 * compared with the wall clock the recording took (within 10 %), not with a fixed limit.
 */
class RecordingTest {
    @TempDir
    Path dir;

    final List<String> logged = new ArrayList<>();
    final Reporter log = (level, message) -> {
        synchronized (logged) {
            logged.add(level + " " + message);
        }
    };

    static Map<String, Object> config(String path, String... keyValues) {
        Map<String, Object> m = new HashMap<>();
        m.put("device", "sim");
        m.put("path", path);
        m.put("speed.preset", "ultrafast");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    VideoSink recorder(Map<String, Object> config) {
        return VideoSinkComponent.start(config, VideoSinkComponent.PID, VideoSinkComponent.KEYS, false);
    }

    /** Feeds the device's animation at about 20 frames a second for the given time; returns the wall-clock nanos. */
    static long feed(VideoSink sink, SimFrames sim, long nanos) throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < nanos) {
            SimFrames.deliver(sink, sim.next());
            Thread.sleep(50);
        }
        return System.nanoTime() - start;
    }

    void recordsFiveSeconds(String name) throws Exception {
        Path out = dir.resolve(name);
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        VideoSink sink = recorder(config(out.toString()));
        long wall = feed(sink, sim, 5_000_000_000L);
        sink.close();
        Map<String, String> p = Tools.probe(out);
        assertEquals("0", p.get("status"), p.get("output"));
        assertEquals("h264", p.get("codec_name"), p.get("output"));
        assertEquals("320", p.get("width"));
        assertEquals("240", p.get("height"));
        double seconds = wall / 1e9;
        double frames = Double.parseDouble(p.get("nb_read_frames"));
        double duration = Double.parseDouble(p.get("duration"));
        assertTrue(Math.abs(frames - 30 * seconds) <= 0.1 * 30 * seconds,
                frames + " frames for " + seconds + " s at 30 fps; ffprobe: " + p.get("output") + " dropped " + sink.dropped());
        assertTrue(Math.abs(duration - seconds) <= 0.1 * seconds, duration + " s of video for " + seconds + " s of wall clock");
        assertTrue(sink.output().frames() >= frames, "written " + sink.output() + ", file has " + frames);
        assertTrue(sink.output().bytes() > 0 && sink.output().bytes() <= Files.size(out), sink.output() + " vs " + Files.size(out));
        assertEquals("", sink.output().lastError());
    }

    @Test
    void recordsMp4() throws Exception {
        recordsFiveSeconds("vm1.mp4");
    }

    @Test
    void recordsMatroska() throws Exception {
        recordsFiveSeconds("vm1.mkv");
    }

    @Test
    void aStillFrameDecodesCloseToTheSource() throws Exception {
        Path out = dir.resolve("still.mkv");
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        sim.device.drawNextFrame();
        VideoSink sink = recorder(config(out.toString(), "quality", "10"));
        // one frame, then nothing: the sink repeats it at the output rate
        SimFrames.deliver(sink, sim.current());
        Thread.sleep(1500);
        sink.close();
        Path ref = dir.resolve("ref.bgr0");
        Files.write(ref, sim.bgr0());
        double psnr = Tools.psnr(out, ref, sim.width, sim.height);
        assertTrue(psnr >= 35, "PSNR " + psnr + " dB");
        Map<String, String> p = Tools.probe(out);
        assertTrue(Integer.parseInt(p.get("nb_read_frames")) >= 30, "a still screen is repeated: " + p.get("output"));
    }

    @Test
    void aModeChangePlaysThroughBothSizes() throws Exception {
        for (String name : List.of("modes.mp4", "modes.mkv")) {
            Path out = dir.resolve(name);
            SimFrames small = new SimFrames("sim:mbochs?mode=320x240");
            SimFrames big = new SimFrames("sim:mbochs?mode=400x304");
            VideoSink sink = recorder(config(out.toString()));
            long wall = feed(sink, small, 1_500_000_000L);
            wall += feed(sink, big, 1_500_000_000L);
            sink.close();
            Map<String, String> p = Tools.probe(out);
            assertEquals("0", p.get("status"), p.get("output"));
            assertEquals("320", p.get("width"), "the file keeps the first mode's size: " + p.get("output"));
            double frames = Double.parseDouble(p.get("nb_read_frames"));
            double expected = 30 * wall / 1e9;
            assertTrue(Math.abs(frames - expected) <= 0.1 * expected, name + ": " + frames + " frames, expected " + expected);
            Tools.Result decode = Tools.run(List.of("ffmpeg", "-v", "error", "-i", out.toString(), "-f", "null", "-"), 120);
            assertEquals(0, decode.status(), decode.out());
            assertEquals("", decode.out().trim(), name + " decodes without errors");
            assertEquals("", sink.output().lastError());
        }
    }

    /**
     * The guest draws faster than the output rate, then shows a still screen, then draws at an odd
     * rate (42 a second): the file's frames lie on the 30 fps grid all the same, every frame one
     * period after the last, except where the sink dropped ticks, which it counted.
     */
    @Test
    void theOutputRateIsConstantWhateverTheGuestDoes() throws Exception {
        Path out = dir.resolve("rate.mp4");
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        VideoSink sink = recorder(config(out.toString()));
        // the clock starts with the pipeline (GStreamer's start-up is not part of the file)
        SimFrames.deliver(sink, sim.next());
        long wait = System.nanoTime();
        while (sink.pushed() == 0 && System.nanoTime() - wait < 60_000_000_000L) {
            Thread.sleep(1);
        }
        long start = System.nanoTime();
        while (System.nanoTime() - start < 1_500_000_000L) {
            SimFrames.deliver(sink, sim.next());
            Thread.sleep(16);
        }
        Thread.sleep(1500);
        long odd = System.nanoTime();
        while (System.nanoTime() - odd < 1_500_000_000L) {
            SimFrames.deliver(sink, sim.next());
            Thread.sleep(24);
        }
        long wall = System.nanoTime() - start;
        sink.close();
        Tools.Result r = Tools.run(List.of("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                "packet=pts_time:stream=r_frame_rate", "-of", "csv=p=0", out.toString()), 120);
        assertEquals(0, r.status(), r.out());
        List<Double> pts = new ArrayList<>();
        String rate = "";
        for (String line : r.out().split("\n")) {
            String t = line.trim().replaceAll(",$", "");
            if (t.contains("/")) {
                rate = t;
            } else if (!t.isEmpty()) {
                pts.add(Double.parseDouble(t));
            }
        }
        assertEquals("30/1", rate, r.out());
        java.util.Collections.sort(pts);
        long missing = 0;
        for (int i = 1; i < pts.size(); i++) {
            double periods = (pts.get(i) - pts.get(i - 1)) * 30;
            long whole = Math.round(periods);
            assertTrue(whole >= 1 && Math.abs(periods - whole) < 0.05, "frame " + i + " is " + periods
                    + " periods after the one before: off the 30 fps grid");
            missing += whole - 1;
        }
        assertTrue(missing <= sink.dropped(), missing + " ticks missing from the file, " + sink.dropped() + " counted");
        double expected = 30 * wall / 1e9;
        assertTrue(Math.abs(pts.size() - expected) <= 0.1 * expected, pts.size() + " frames, expected " + expected);
    }

    /** A black 320x240 frame with a white 32x32 cursor at (100, 60). */
    static io.github.scanout.api.sink.Frame blackWithCursor() {
        java.nio.ByteBuffer black = java.nio.ByteBuffer.allocate(320 * 240 * 4);
        io.github.scanout.api.PlaneInfo info = new io.github.scanout.api.PlaneInfo(io.github.scanout.api.PlaneType.PRIMARY,
                io.github.scanout.api.BufferType.REGION, io.github.scanout.api.DrmFormat.XRGB8888,
                io.github.scanout.api.Modifier.LINEAR, 320, 240, 1280, 320 * 240 * 4L, 0, 0, java.util.Optional.empty(), 7);
        java.nio.ByteBuffer white = java.nio.ByteBuffer.allocate(32 * 32 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 32 * 32; i++) {
            white.putInt(i * 4, 0xffffffff);
        }
        io.github.scanout.api.PlaneInfo cinfo = new io.github.scanout.api.PlaneInfo(io.github.scanout.api.PlaneType.CURSOR,
                io.github.scanout.api.BufferType.REGION, io.github.scanout.api.DrmFormat.ARGB8888,
                io.github.scanout.api.Modifier.LINEAR, 32, 32, 128, 32 * 32 * 4L, 100, 60, java.util.Optional.empty(), 9);
        io.github.scanout.api.buffer.PlaneBuffer cursor = io.github.scanout.api.buffer.PlaneBuffer.create(cinfo,
                io.github.scanout.api.buffer.MemoryKind.SNAPSHOT, white, null, null);
        return new io.github.scanout.api.sink.Frame("sim", 1, System.nanoTime(), System.currentTimeMillis(),
                io.github.scanout.api.buffer.PlaneBuffer.create(info, io.github.scanout.api.buffer.MemoryKind.SNAPSHOT,
                        black, null, null),
                new io.github.scanout.api.sink.CursorState(java.util.Optional.of(cursor), 100, 60,
                        java.util.Optional.empty(), true));
    }

    /** The first decoded frame's RGB at (x, y). */
    static int[] rgbAt(Path video, int x, int y) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-i", video.toString(), "-frames:v", "1", "-f", "rawvideo",
                "-pix_fmt", "rgb24", "-").start();
        byte[] raw = p.getInputStream().readAllBytes();
        p.waitFor();
        int at = (y * 320 + x) * 3;
        return new int[] {raw[at] & 0xff, raw[at + 1] & 0xff, raw[at + 2] & 0xff};
    }

    @Test
    void theCursorIsDrawnWhenAsked() throws Exception {
        for (boolean on : new boolean[] {true, false}) {
            Path out = dir.resolve("cursor-" + on + ".mkv");
            VideoSink sink = recorder(config(out.toString(), "cursor", String.valueOf(on), "quality", "10"));
            io.github.scanout.api.sink.Frame f = blackWithCursor();
            try {
                sink.frame(f);
            } finally {
                f.primary().close();
                f.cursor().image().get().close();
            }
            Thread.sleep(700);
            sink.close();
            int[] inside = rgbAt(out, 116, 76);
            int[] outside = rgbAt(out, 50, 50);
            assertTrue(outside[0] < 40 && outside[1] < 40 && outside[2] < 40, "black stays black: "
                    + java.util.Arrays.toString(outside));
            if (on) {
                assertTrue(inside[0] > 200 && inside[1] > 200 && inside[2] > 200, "the cursor is drawn: "
                        + java.util.Arrays.toString(inside));
            } else {
                assertTrue(inside[0] < 40, "no cursor unless asked: " + java.util.Arrays.toString(inside));
            }
        }
    }
}
