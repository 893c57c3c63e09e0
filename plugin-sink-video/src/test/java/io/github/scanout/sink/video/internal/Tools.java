package io.github.scanout.sink.video.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real ffprobe and ffmpeg, run as processes (CI installs Debian's ffmpeg). */
final class Tools {
    private Tools() {}

    record Result(int status, String out) {}

    static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out;
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s");
        }
        out = p.getInputStream().readAllBytes();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** ffprobe's view of the first video stream: codec_name, width, height, nb_read_frames, duration. */
    static Map<String, String> probe(Path file) throws IOException, InterruptedException {
        return probe(file.toString());
    }

    static Map<String, String> probe(String input) throws IOException, InterruptedException {
        Result r = run(List.of("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=codec_name,width,height,nb_read_frames,duration:format=duration", "-of", "default=nw=0", input), 120);
        Map<String, String> m = new HashMap<>();
        for (String line : r.out().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                String k = line.substring(0, eq).trim();
                String v = line.substring(eq + 1).trim();
                if (k.equals("duration")) {
                    // the stream's, else the format's
                    m.merge(k, v, (a, b) -> a.equals("N/A") ? b : a);
                } else {
                    m.put(k, v);
                }
            }
        }
        m.put("status", String.valueOf(r.status()));
        m.put("output", r.out());
        return m;
    }

    private static final Pattern PSNR = Pattern.compile("average:([0-9.]+|inf)");

    /** The average PSNR (dB) of every frame of the video against one raw BGRx picture. */
    static double psnr(Path video, Path rawBgr0, int width, int height) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "info", "-nostats", "-i", video.toString(), "-f",
                "rawvideo", "-pixel_format", "bgr0", "-video_size", width + "x" + height, "-i", rawBgr0.toString(),
                "-lavfi", "[0:v]format=rgb24[a];[1:v]format=rgb24[b];[a][b]psnr", "-f", "null", "-"));
        Result r = run(cmd, 120);
        Matcher m = PSNR.matcher(r.out());
        if (!m.find()) {
            throw new AssertionError("ffmpeg printed no PSNR: " + r.out());
        }
        return m.group(1).equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
    }
}
