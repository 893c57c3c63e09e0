package io.github.scanout.sink.video.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.scanout.api.support.Reporter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing: RTSP RECORD to a real server (gst-rtsp-server from Debian, started by the test) that
 * is killed and brought back, and HLS into a directory; read back with ffprobe.
 */
class StreamTest {
    static final long WAIT = TimeUnit.SECONDS.toNanos(90);

    @TempDir
    Path dir;

    final List<String> logged = new ArrayList<>();

    static VideoSink stream(Map<String, Object> config) {
        return VideoSinkComponent.start(config, StreamSinkComponent.PID, StreamSinkComponent.KEYS, true);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static int packets(Path file) {
        try {
            if (!Files.exists(file)) {
                return 0;
            }
            Tools.Result r = Tools.run(List.of("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                    "packet=pts", "-of", "csv=p=0", file.toString()), 60);
            return (int) r.out().lines().filter(l -> !l.isBlank()).count();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    Process server(int port, Path output) throws Exception {
        // the README tour's server: examples/rtsp-server/rtsp-record-server.py of this repository
        Path script = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && script == null; d = d.getParent()) {
            Path candidate = d.resolve("examples/rtsp-server/rtsp-record-server.py");
            if (Files.isRegularFile(candidate)) {
                script = candidate;
            }
        }
        assertTrue(script != null, "no examples/rtsp-server/rtsp-record-server.py above " + Path.of("").toAbsolutePath());
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), String.valueOf(port), "/vm1",
                output.toString()).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        assertEquals("listening", line, "the RTSP server did not start");
        return p;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void publishesOverRtspAndReconnectsWhenTheServerComesBack() throws Exception {
        int port = freePort();
        Path first = dir.resolve("first.ts");
        Path second = dir.resolve("second.ts");
        Process server = server(port, first);
        Map<String, Object> config = new HashMap<>(Map.of("device", "sim", "url", "rtsp://127.0.0.1:" + port + "/vm1",
                "speed.preset", "ultrafast", "bitrate", "500"));
        Reporter log = (level, message) -> {
            synchronized (logged) {
                logged.add(level + " " + message);
            }
        };
        VideoOptions options = VideoOptions.read(new io.github.scanout.api.support.ConfigReader("test",
                StreamSinkComponent.KEYS, config), true);
        VideoSink sink = new VideoSink(Gst.load(), options, "x264enc", "rtsp-test", log);
        AtomicBoolean feeding = new AtomicBoolean(true);
        AtomicLong delivered = new AtomicLong();
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        Thread feeder = new Thread(() -> {
            while (feeding.get()) {
                SimFrames.deliver(sink, sim.next());
                delivered.incrementAndGet();
                try {
                    Thread.sleep(40);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        feeder.start();
        Process second0 = null;
        try {
            await("30 frames at the server", () -> packets(first) >= 30);
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
            await("the sink to notice the server is gone", () -> !sink.output().lastError().isEmpty());
            long atLoss = delivered.get();
            Thread.sleep(1500); // a few failed reconnects while the server is away
            await("capture going on while the server is away", () -> delivered.get() > atLoss + 10);
            second0 = server(port, second);
            await("30 frames at the restarted server", () -> packets(second) >= 30);
            // the sink calls itself back once the new stream has run CONFIRM_NANOS with frames in it,
            // which may come after the server has counted its 30 packets
            await("the sink to say it is back", () -> sink.restarts() >= 1);
        } finally {
            feeding.set(false);
            feeder.join();
            sink.close();
            server.destroyForcibly();
            if (second0 != null) {
                second0.destroyForcibly();
            }
        }
        List<String> lines;
        synchronized (logged) {
            lines = List.copyOf(logged);
        }
        assertEquals(1, lines.stream().filter(l -> l.contains(" failed: ")).count(), "said once: " + lines);
        assertEquals(1, lines.stream().filter(l -> l.contains(" is back after ")).count(), lines.toString());
        Map<String, String> p = Tools.probe(second);
        assertEquals("h264", p.get("codec_name"), p.get("output"));
        assertEquals("320", p.get("width"));
        assertTrue(sink.dropped() > 0, "frames dropped while the server was away");
    }

    @Test
    void writesHlsAndDeletesOldSegments() throws Exception {
        Path hls = dir.resolve("hls");
        Files.createDirectories(hls);
        VideoSink sink = stream(new HashMap<>(Map.of("device", "sim", "url", "hls:" + hls + "/", "speed.preset",
                "ultrafast", "segment.seconds", "1", "segments", "3")));
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        try {
            await("six segments written", () -> {
                SimFrames.deliver(sink, sim.next());
                try {
                    Thread.sleep(40);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                return Files.exists(hls.resolve("segment00005.ts"));
            });
        } finally {
            sink.close();
        }
        assertTrue(!Files.exists(hls.resolve("segment00000.ts")), "old segments are deleted");
        try (var files = Files.list(hls)) {
            long segments = files.filter(f -> f.toString().endsWith(".ts")).count();
            assertTrue(segments <= 4, segments + " segments kept");
        }
        Map<String, String> p = Tools.probe(hls.resolve("index.m3u8"));
        assertEquals("0", p.get("status"), p.get("output"));
        assertEquals("h264", p.get("codec_name"), p.get("output"));
        assertTrue(Integer.parseInt(p.get("nb_read_frames")) >= 30, p.get("output"));
    }

    /** Publishes to a real ffmpeg listener that keeps 4 s of what it receives, and reads that back. */
    void publishesToAnFfmpegListener(String url, String listen, String format) throws Exception {
        Path out = dir.resolve("received." + format);
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "warning", "-nostdin"));
        if (format.equals("flv")) {
            cmd.addAll(List.of("-listen", "1")); // RTMP server mode; SRT says mode=listener in its URL
        }
        cmd.addAll(List.of("-i", listen, "-t", "4", "-c", "copy", "-f", format.equals("ts") ? "mpegts" : "flv", "-y",
                out.toString()));
        Process ffmpeg = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
        VideoSink sink = stream(new HashMap<>(Map.of("device", "sim", "url", url, "speed.preset", "ultrafast",
                "bitrate", "500")));
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        try {
            // the sink retries with back-off until the listener is up; ffmpeg ends after 4 s of video
            await("ffmpeg to receive 4 s", () -> {
                SimFrames.deliver(sink, sim.next());
                try {
                    Thread.sleep(40);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                return !ffmpeg.isAlive();
            });
        } finally {
            sink.close();
            ffmpeg.destroyForcibly();
        }
        Map<String, String> p = Tools.probe(out);
        assertEquals("0", p.get("status"), p.get("output") + Files.readString(dir.resolve("ffmpeg.log")));
        assertEquals("h264", p.get("codec_name"), p.get("output"));
        assertEquals("320", p.get("width"));
        assertTrue(Integer.parseInt(p.get("nb_read_frames")) >= 60, p.get("output"));
    }

    @Test
    void publishesOverSrt() throws Exception {
        int port = freePort();
        publishesToAnFfmpegListener("srt://127.0.0.1:" + port, "srt://127.0.0.1:" + port + "?mode=listener", "ts");
    }

    @Test
    void publishesOverRtmp() throws Exception {
        int port = freePort();
        publishesToAnFfmpegListener("rtmp://127.0.0.1:" + port + "/live/vm1", "rtmp://127.0.0.1:" + port + "/live/vm1",
                "flv");
    }
}
