package io.github.scanout.sink.video.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} during a recording: the process gets no chance to finish the file, and ffprobe
 * still reads it and its frames (fragmented MP4 and Matroska are written so that what is on disk
 * plays up to the last fragment).
 */
class CrashSafetyTest {
    @TempDir
    Path dir;

    @Test
    void aKilledRecorderLeavesAPlayableMp4() throws Exception {
        killedLeavesPlayable("killed.mp4");
    }

    @Test
    void aKilledRecorderLeavesAPlayableMatroskaFile() throws Exception {
        killedLeavesPlayable("killed.mkv");
    }

    void killedLeavesPlayable(String name) throws Exception {
        Path out = dir.resolve(name);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                RecordForever.class.getName(), out.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null && !line.equals("recording")) {
                // log lines before the start
            }
            assertEquals("recording", line, "the child did not start");
            // wait until more than two one-second fragments are on disk (no wall-clock limit: generous)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int frames = 0;
            while (System.nanoTime() - deadline < 0) {
                Thread.sleep(500);
                if (Files.exists(out) && Files.size(out) > 0) {
                    Map<String, String> probe = Tools.probe(out);
                    String n = probe.get("nb_read_frames");
                    frames = n == null || n.equals("N/A") ? 0 : Integer.parseInt(n);
                    if (frames >= 60) {
                        break;
                    }
                }
            }
            assertTrue(frames >= 60, "the recording did not grow: " + frames + " frames");
        } finally {
            p.destroyForcibly(); // SIGKILL
            p.waitFor(60, TimeUnit.SECONDS);
        }
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        Map<String, String> probe = Tools.probe(out);
        assertEquals("0", probe.get("status"), probe.get("output"));
        assertEquals("h264", probe.get("codec_name"));
        assertTrue(Integer.parseInt(probe.get("nb_read_frames")) >= 60, probe.get("output"));
        Tools.Result decode = Tools.run(List.of("ffmpeg", "-v", "error", "-i", out.toString(), "-f", "null", "-"), 120);
        assertEquals(0, decode.status(), decode.out());
    }
}
