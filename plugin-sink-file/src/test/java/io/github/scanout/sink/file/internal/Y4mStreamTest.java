package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.pixels.PixelConverter;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Y4M streams: the header and plane sizes ffmpeg expects (odd sizes included), colours that
 * the api's BT.601 limited-range decoder turns back into the source colours, constant frame
 * rate with repeated frames, a new file on a mode change, and ffprobe reading the file when
 * ffprobe is installed.
 */
class Y4mStreamTest {
    @TempDir
    Path dir;

    static final long SECOND = 1_000_000_000L;

    /** Writes frames of the given sizes, one per second, and returns the file. */
    Path write(Y4mChroma chroma, double fps, int[]... sizes) {
        Path file = dir.resolve("rec.y4m");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.Y4M, file).chroma(chroma).maxFps(fps)
                .onlyWhenChanged(false).build());
        long t = 0;
        int seq = 1;
        for (int[] s : sizes) {
            PlaneInfo info = Frames.plane(DrmFormat.XRGB8888, s[0], s[1], s[0] * 4 + 8);
            try (PlaneBuffer p = Frames.buffer(info, MemoryKind.SNAPSHOT, Frames.randomBytes(info, seq))) {
                sink.frame(Frames.frame(p, seq++, t));
            }
            t += SECOND / Math.max(1, (long) fps);
        }
        sink.close();
        return file;
    }

    static String header(byte[] file) {
        int nl = 0;
        while (file[nl] != '\n') {
            nl++;
        }
        return new String(file, 0, nl + 1, StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @CsvSource({"C420, 64, 48, 4608", "C420, 33, 17, 867", "C420, 1, 1, 3", "C444, 33, 17, 0"})
    void headerAndPlaneSizesAreWhatReadersExpect(Y4mChroma chroma, int w, int h, int lumaAndChroma420)
            throws IOException {
        Path file = write(chroma, 0, new int[] {w, h}, new int[] {w, h}, new int[] {w, h});
        byte[] bytes = Files.readAllBytes(file);
        String header = header(bytes);
        assertThat(header).isEqualTo("YUV4MPEG2 W" + w + " H" + h + " F30:1 Ip A1:1 " + chroma.tag()
                + " XCOLORRANGE=LIMITED\n");
        int chromaW = chroma == Y4mChroma.C444 ? w : (w + 1) / 2;
        int chromaH = chroma == Y4mChroma.C444 ? h : (h + 1) / 2;
        int frame = 6 + w * h + 2 * chromaW * chromaH;
        if (chroma == Y4mChroma.C420) {
            assertThat(w * h + 2 * chromaW * chromaH).isEqualTo(lumaAndChroma420);
        }
        assertThat(bytes.length).isEqualTo(header.length() + 3 * frame);
        for (int i = 0; i < 3; i++) {
            assertThat(new String(bytes, header.length() + i * frame, 6, StandardCharsets.US_ASCII)).isEqualTo("FRAME\n");
        }
    }

    @Test
    void colourBarsHaveTheirBt601LimitedRangeValues() throws IOException {
        int[] colours = {0xffffffff, 0xff000000, 0xffff0000, 0xff00ff00, 0xff0000ff};
        int[][] yuv = {{235, 128, 128}, {16, 128, 128}, {81, 90, 240}, {145, 54, 34}, {41, 240, 110}};
        for (int c = 0; c < colours.length; c++) {
            Path file = dir.resolve("bar" + c + ".y4m");
            FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.Y4M, file).build());
            try (PlaneBuffer p = Frames.solid(4, 2, colours[c])) {
                sink.frame(Frames.frame(p, 1, 0));
            }
            sink.close();
            byte[] b = Files.readAllBytes(file);
            int at = header(b).length() + 6;
            assertThat(b[at] & 0xff).as("Y of %08x", colours[c]).isEqualTo(yuv[c][0]);
            assertThat(b[at + 8] & 0xff).as("U of %08x", colours[c]).isEqualTo(yuv[c][1]);
            assertThat(b[at + 10] & 0xff).as("V of %08x", colours[c]).isEqualTo(yuv[c][2]);
        }
    }

    @Test
    void the444StreamDecodesBackToTheSourceColoursWithTheApisDecoder() throws IOException {
        int w = 40;
        int h = 30;
        PlaneInfo info = Frames.plane(DrmFormat.XRGB8888, w, h, w * 4);
        var bytes = Frames.randomBytes(info, 5);
        int[] source = PixelConverter.toArgb(info, bytes);
        Path file = dir.resolve("exact.y4m");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.Y4M, file).chroma(Y4mChroma.C444).build());
        try (PlaneBuffer p = Frames.buffer(info, MemoryKind.SNAPSHOT, bytes)) {
            sink.frame(Frames.frame(p, 1, 0));
        }
        sink.close();
        byte[] b = Files.readAllBytes(file);
        int y0 = header(b).length() + 6;
        int u0 = y0 + w * h;
        int v0 = u0 + w * h;
        for (int i = 0; i < w * h; i++) {
            int back = PixelConverter.yuvToArgb(b[y0 + i] & 0xff, b[u0 + i] & 0xff, b[v0 + i] & 0xff);
            for (int shift = 0; shift <= 16; shift += 8) {
                int want = (source[i] >>> shift) & 0xff;
                int got = (back >>> shift) & 0xff;
                // limited range keeps 220 of 256 luma steps: a channel can be off by up to 3
                assertThat(Math.abs(want - got)).as("pixel %d channel %d: %d vs %d", i, shift, want, got)
                        .isLessThanOrEqualTo(3);
            }
        }
    }

    @Test
    void aPauseIsFilledWithCopiesOfTheLastFrameAtTheConfiguredRate() throws IOException {
        Path file = dir.resolve("cfr.y4m");
        FileSink sink = new FileSink(FileSinkOptions.builder(OutputFormat.Y4M, file).maxFps(10).build());
        try (PlaneBuffer a = Frames.solid(4, 4, 0xff0000); PlaneBuffer b = Frames.solid(4, 4, 0x00ff00)) {
            sink.frame(Frames.frame(a, 1, 0));
            sink.frame(Frames.frame(b, 2, SECOND / 2)); // slot 5: slots 1-4 repeat frame 1
        }
        sink.close();
        byte[] bytes = Files.readAllBytes(file);
        String header = header(bytes);
        assertThat(header).contains(" F10:1 ");
        int frame = 6 + 16 + 2 * 4;
        assertThat(bytes.length).isEqualTo(header.length() + 6 * frame);
        byte[] first = Arrays.copyOfRange(bytes, header.length(), header.length() + frame);
        for (int i = 1; i < 5; i++) {
            int at = header.length() + i * frame;
            assertThat(Arrays.copyOfRange(bytes, at, at + frame)).as("copy %d", i).isEqualTo(first);
        }
        int last = header.length() + 5 * frame + 6;
        assertThat(bytes[last] & 0xff).as("Y of green").isEqualTo(145);
    }

    @Test
    void fractionalRatesAreWrittenAsFractions() {
        assertThat(Y4mStream.rate(29.97)).isEqualTo("2997:100");
        assertThat(Y4mStream.rate(60)).isEqualTo("60:1");
        assertThat(Y4mStream.rate(0.5)).isEqualTo("1:2");
        assertThat(Y4mStream.rate(0)).isEqualTo("30:1");
    }

    @Test
    void aModeChangeStartsANewFileWithItsOwnHeader() throws IOException {
        write(Y4mChroma.C420, 0, new int[] {8, 6}, new int[] {8, 6}, new int[] {10, 4});
        assertThat(header(Files.readAllBytes(dir.resolve("rec.y4m")))).startsWith("YUV4MPEG2 W8 H6 ");
        byte[] second = Files.readAllBytes(dir.resolve("rec-2.y4m"));
        assertThat(header(second)).startsWith("YUV4MPEG2 W10 H4 ");
        assertThat(second.length).isEqualTo(header(second).length() + 6 + 40 + 2 * 5 * 2);
    }

    @ParameterizedTest
    @CsvSource({"C420, 33, 17, yuv420p", "C444, 32, 18, yuv444p"})
    void ffprobeReadsTheStream(Y4mChroma chroma, int w, int h, String pixFmt) throws Exception {
        String ffprobe = findOnPath("ffprobe");
        assumeTrue(ffprobe != null, "ffprobe is not on PATH (" + System.getenv("PATH")
                + "); install Debian's ffmpeg package to run this check");
        Path file = write(chroma, 25, new int[] {w, h}, new int[] {w, h}, new int[] {w, h}, new int[] {w, h});
        Process p = new ProcessBuilder(ffprobe, "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=width,height,pix_fmt,nb_read_frames,r_frame_rate,color_range", "-of",
                "default=noprint_wrappers=1", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("width=" + w, "height=" + h, "pix_fmt=" + pixFmt, "r_frame_rate=25/1",
                "nb_read_frames=4", "color_range=tv");
    }

    static String findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String d : path.split(File.pathSeparator)) {
            Path candidate = Path.of(d, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
