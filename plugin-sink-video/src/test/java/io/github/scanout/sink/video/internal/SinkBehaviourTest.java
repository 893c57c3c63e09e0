package io.github.scanout.sink.video.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the sink does besides encoding: its queue, its checks, its messages. */
class SinkBehaviourTest {
    @TempDir
    Path dir;

    static VideoSink video(Map<String, Object> config) {
        return VideoSinkComponent.start(config, VideoSinkComponent.PID, VideoSinkComponent.KEYS, false);
    }

    static Map<String, Object> config(String... keyValues) {
        Map<String, Object> m = new HashMap<>();
        m.put("device", "sim");
        m.put("service.pid", "io.github.scanout.sink.video~vm1");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void aSlowPipelineDropsFramesAndNeverStallsTheCaller() throws Exception {
        // 200 ms per frame downstream: far slower than 30 fps
        VideoSink sink = video(config("pipeline", "queue max-size-buffers=1 ! identity sleep-time=200000 ! fakesink",
                "queue", "2"));
        try {
            SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int delivered = 0;
            while (sink.dropped() < 10 && System.nanoTime() - deadline < 0) {
                SimFrames.deliver(sink, sim.next());
                delivered++;
                Thread.sleep(5);
            }
            assertTrue(sink.dropped() >= 10, "dropped " + sink.dropped());
            assertTrue(delivered > sink.pushed(), "frame() went on while GStreamer was behind: delivered " + delivered
                    + ", pushed " + sink.pushed());
        } finally {
            sink.close();
        }
        assertTrue(sink.output().frames() < sink.pushed() + sink.dropped());
    }

    @Test
    void aPipelineThatDoesNotParseIsOneLineNamingTheConfiguration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> video(config("pipeline", "videoconvert ! ! fakesink")));
        assertTrue(e.getMessage().startsWith("configuration io.github.scanout.sink.video~vm1: pipeline = 'videoconvert ! ! fakesink' is refused: "), e.getMessage());
        assertTrue(e.getMessage().contains("cannot parse"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aMissingElementNamesItsPackage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> video(config("pipeline", "videoconvert ! nosuchelement0 ! fakesink")));
        assertTrue(e.getMessage().contains("GStreamer has no element 'nosuchelement0'"), e.getMessage());
        assertEquals("GStreamer has no element 'rtspclientsink': install the Debian package gstreamer1.0-rtsp",
                Elements.missing("rtspclientsink"));
        assertTrue(Elements.missing("x264enc").endsWith("gstreamer1.0-plugins-ugly"));
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> video(config("path", dir.resolve("a.avi").toString())));
        assertTrue(e.getMessage().contains("path") && e.getMessage().contains(".mp4, .mkv or .webm"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> video(config("path", dir.resolve("a.webm").toString(), "codec", "h264")));
        assertTrue(e.getMessage().contains("codec"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> video(config("path", dir.resolve("a.mp4").toString(), "fps", "0")));
        assertTrue(e.getMessage().contains("fps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> video(config("path", dir.resolve("a.mp4").toString(),
                "pipeline", "fakesink")));
        assertTrue(e.getMessage().contains("either path or pipeline"), e.getMessage());
    }

    @Test
    void aWebmRecordingIsVp8() throws Exception {
        Path out = dir.resolve("a.webm");
        VideoSink sink = video(config("path", out.toString()));
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        for (int i = 0; i < 20; i++) {
            SimFrames.deliver(sink, sim.next());
            Thread.sleep(30);
        }
        sink.close();
        Map<String, String> p = Tools.probe(out);
        assertEquals("vp8", p.get("codec_name"), p.get("output"));
        assertEquals("320", p.get("width"));
    }

    @Test
    void aRecordingThatCannotBeWrittenStopsWithItsError() throws Exception {
        VideoSink sink = video(config("path", dir.resolve("no/such/dir/a.mp4").toString()));
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sink.output().lastError().isEmpty() && System.nanoTime() - deadline < 0) {
            SimFrames.deliver(sink, sim.next());
            Thread.sleep(20);
        }
        sink.close();
        assertTrue(sink.output().lastError().contains("scanout_sink"), sink.output().lastError());
        assertEquals(0, sink.output().frames());
    }

    @Test
    void aCustomPipelineRotatesFilesWithSplitmuxsink() throws Exception {
        Path parts = dir.resolve("parts");
        java.nio.file.Files.createDirectories(parts);
        VideoSink sink = video(config("pipeline", "videoconvert ! x264enc name=scanout_enc speed-preset=ultrafast "
                + "tune=zerolatency key-int-max=10 ! h264parse ! splitmuxsink location=" + parts + "/part-%05d.mp4 "
                + "max-size-time=1000000000 max-files=2"));
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            // more than four one-second parts' worth of encoded frames
            while (sink.output().frames() < 150 && System.nanoTime() - deadline < 0) {
                SimFrames.deliver(sink, sim.next());
                Thread.sleep(30);
            }
        } finally {
            sink.close();
        }
        assertTrue(sink.output().frames() >= 150, "encoded " + sink.output());
        // splitmuxsink's max-files reuses the names: two files, each rewritten, never a third
        try (var files = java.nio.file.Files.list(parts)) {
            assertEquals(java.util.List.of("part-00000.mp4", "part-00001.mp4"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        for (String name : java.util.List.of("part-00000.mp4", "part-00001.mp4")) {
            Map<String, String> p = Tools.probe(parts.resolve(name));
            assertEquals("h264", p.get("codec_name"), p.get("output"));
            assertTrue(Double.parseDouble(p.get("nb_read_frames")) <= 45, name + " holds about a second: " + p.get("output"));
        }
        assertTrue(sink.output().frames() > 0, "frames leaving scanout_enc are counted: " + sink.output());
    }
}
