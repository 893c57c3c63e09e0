package io.github.scanout.sink.video.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.scanout.api.support.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotated recordings ({@code rotate.bytes}, {@code rotate.seconds}, {@code keep}): every piece is
 * a file of its own that the real ffprobe reads through, named and retained as the file sink's
 * streams are ({@link io.github.scanout.api.support.StreamRotation}).
 */
class RotationTest {
    @TempDir
    Path dir;

    VideoSink recorder(Map<String, Object> config) {
        return VideoSinkComponent.start(config, VideoSinkComponent.PID, VideoSinkComponent.KEYS, false);
    }

    /** Feeds the animation until the sink has started {@code pieces} pieces (60 s at most), then closes it. */
    static void recordPieces(VideoSink sink, int pieces) throws Exception {
        SimFrames sim = new SimFrames("sim:mbochs?mode=320x240");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try {
            while (sink.pieces() < pieces && System.nanoTime() - deadline < 0) {
                SimFrames.deliver(sink, sim.next());
                Thread.sleep(30);
            }
            // some frames into the last piece too
            for (int i = 0; i < 10; i++) {
                SimFrames.deliver(sink, sim.next());
                Thread.sleep(30);
            }
        } finally {
            sink.close();
        }
        assertTrue(sink.pieces() >= pieces, "pieces started: " + sink.pieces());
    }

    static List<String> names(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** ffprobe reads the whole piece: H.264 at the mode's size, at least one frame. */
    static int playable(Path piece) throws Exception {
        Map<String, String> p = Tools.probe(piece);
        assertEquals("0", p.get("status"), piece + ": " + p.get("output"));
        assertEquals("h264", p.get("codec_name"), piece + ": " + p.get("output"));
        assertEquals("320", p.get("width"), piece + ": " + p.get("output"));
        assertEquals("240", p.get("height"), piece + ": " + p.get("output"));
        int frames = Integer.parseInt(p.get("nb_read_frames"));
        assertTrue(frames > 0, piece + ": " + p.get("output"));
        Tools.Result decode = Tools.run(List.of("ffmpeg", "-v", "error", "-i", piece.toString(), "-f", "null", "-"), 120);
        assertEquals("", decode.out().trim(), piece + " decodes without errors");
        return frames;
    }

    @Test
    void rotatesByTimeKeepingTheNewestPieces() throws Exception {
        Path base = dir.resolve("vm1.mp4");
        VideoSink sink = recorder(RecordingTest.config(base.toString(), "rotate.seconds", "1", "keep", "3"));
        recordPieces(sink, 6);
        int started = sink.pieces();
        List<String> expected = List.of("vm1-" + (started - 2) + ".mp4", "vm1-" + (started - 1) + ".mp4",
                "vm1-" + started + ".mp4");
        assertEquals(expected.stream().sorted().toList(), names(dir), "the newest three pieces are kept");
        for (String name : expected.subList(0, 2)) {
            int frames = playable(dir.resolve(name));
            // a second at 30 fps each (the last piece is cut short by the stop)
            assertTrue(frames >= 20 && frames <= 45, name + ": " + frames + " frames for a one-second piece");
        }
        playable(dir.resolve(expected.get(2)));
        assertEquals("", sink.output().lastError());
    }

    @Test
    void rotatesBySizeAndNeverOverwritesAnExistingFile() throws Exception {
        Path base = dir.resolve("vm2.mkv");
        Files.writeString(base, "an earlier recording");
        VideoSink sink = recorder(RecordingTest.config(base.toString(), "rotate.bytes", "60000", "quality", "18"));
        recordPieces(sink, 3);
        assertEquals("an earlier recording", Files.readString(base), "the existing file is left alone");
        List<String> names = names(dir);
        assertEquals(sink.pieces() + 1, names.size(), names.toString());
        long encoded = 0;
        for (int n = 2; n <= sink.pieces() + 1; n++) {
            Path piece = dir.resolve("vm2-" + n + ".mkv");
            assertTrue(names.contains(piece.getFileName().toString()), names.toString());
            playable(piece);
            encoded += Files.size(piece);
            if (n < sink.pieces() + 1) {
                // cut before the frame that would pass 60000 encoded bytes; the container adds a little
                assertTrue(Files.size(piece) <= 60000 * 1.25, piece + " is " + Files.size(piece) + " bytes");
            }
        }
        assertTrue(sink.output().bytes() <= encoded, "counted " + sink.output() + ", written " + encoded);
    }

    @Test
    void rotationIsForRecordingsOnly() {
        ConfigException keepAlone = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> recorder(RecordingTest.config(dir.resolve("a.mp4").toString(), "keep", "2")));
        assertTrue(keepAlone.getMessage().contains("keep") && keepAlone.getMessage().contains("rotate.bytes or rotate"
                + ".seconds"), keepAlone.getMessage());
        ConfigException custom = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> recorder(RecordingTest.config("", "pipeline", "fakesink", "rotate.seconds", "5")));
        assertTrue(custom.getMessage().contains("rotate.seconds") && custom.getMessage().contains("splitmuxsink"),
                custom.getMessage());
    }
}
