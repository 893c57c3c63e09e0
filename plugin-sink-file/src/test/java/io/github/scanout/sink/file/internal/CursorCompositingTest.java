package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Hotspot;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.CursorState;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cursor drawn into PNG snapshots: position, clipping, blending, and cursor-only updates. */
class CursorCompositingTest {
    static final long MS = 1_000_000L;
    static final int W = 8;
    static final int H = 6;

    @TempDir
    Path dir;

    final FakeClock clock = new FakeClock();
    final RecordingLog log = new RecordingLog();
    final java.util.List<CursorState> cursors = new java.util.ArrayList<>();

    @AfterEach
    void closeCursorImages() {
        cursors.forEach(c -> c.image().ifPresent(PlaneBuffer::close));
    }

    CursorState cursor(int[] argb, int w, int h, int x, int y, boolean changed) {
        CursorState c = Frames.cursor(argb, w, h, x, y, changed);
        cursors.add(c);
        return c;
    }

    FileSink sink(boolean cursor) {
        return new FileSink(FileSinkOptions.builder(OutputFormat.PNG, dir).maxFps(0).cursor(cursor)
                .namePattern("{n}.png").build(), new RealDisk(), log, clock);
    }

    List<int[]> images() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".png"))
                    .sorted((a, b) -> Integer.compare(number(a), number(b)))
                    .map(p -> {
                        try {
                            BufferedImage i = ImageIO.read(p.toFile());
                            return i.getRGB(0, 0, i.getWidth(), i.getHeight(), null, 0, i.getWidth());
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    }).toList();
        }
    }

    static int number(Path p) {
        String n = p.getFileName().toString();
        return Integer.parseInt(n.substring(0, n.indexOf('.')));
    }

    static final int RED = 0xffff0000;
    static final int HALF_WHITE = 0x80ffffff;
    static final int CLEAR = 0x00123456;
    static final int[] ARROW = {RED, HALF_WHITE, CLEAR, RED, RED, HALF_WHITE}; // 3 x 2

    @Test
    void theCursorIsBlendedAtItsTopLeftCornerAndClippedToTheFrame() throws IOException {
        FileSink sink = sink(true);
        try (PlaneBuffer black = Frames.solid(W, H, 0)) {
            // top-left at (-1, 5): the first column and the second row fall outside
            CursorState c = new CursorState(cursor(ARROW, 3, 2, -1, 5, true).image(), -1, 5,
                    Optional.of(new Hotspot(2, 1)), true);
            sink.frame(Frames.frame(black, 1, 0, c));
        }
        sink.close();
        int[] expected = new int[W * H];
        Arrays.fill(expected, 0xff000000);
        expected[5 * W] = 0xff808080; // HALF_WHITE over black: 255 * 128 / 255 = 128
        // ARROW (0,0) and (2,0) fall outside or are clear; (1,0) -> (0,5); (2,0) -> (1,5) is clear
        assertThat(images()).singleElement().isEqualTo(expected);
    }

    @Test
    void aCursorMoveWithoutANewFrameWritesANewPicture() throws IOException {
        FileSink sink = sink(true);
        try (PlaneBuffer black = Frames.solid(W, H, 0)) {
            sink.frame(Frames.frame(black, 1, 0, cursor(new int[] {RED}, 1, 1, 0, 0, true)));
        }
        clock.advanceMillis(10);
        sink.cursor(cursor(new int[] {RED}, 1, 1, 3, 2, false)); // only moved
        clock.advanceMillis(10);
        sink.cursor(cursor(new int[] {RED}, 1, 1, 3, 2, false)); // did not move: nothing new
        clock.advanceMillis(10);
        sink.cursor(CursorState.hidden());
        sink.close();
        List<int[]> images = images();
        assertThat(images).hasSize(3);
        assertThat(images.get(0)[0]).isEqualTo(RED);
        assertThat(images.get(1)[0]).isEqualTo(0xff000000);
        assertThat(images.get(1)[2 * W + 3]).isEqualTo(RED);
        assertThat(images.get(2)).containsOnly(0xff000000);
    }

    @Test
    void withCompositingOffTheCursorIsNeitherDrawnNorAReasonToWrite() throws IOException {
        FileSink sink = sink(false);
        try (PlaneBuffer black = Frames.solid(W, H, 0)) {
            sink.frame(Frames.frame(black, 1, 0, cursor(new int[] {RED}, 1, 1, 0, 0, true)));
            sink.frame(Frames.frame(black, 2, MS, cursor(new int[] {RED}, 1, 1, 4, 4, false)));
        }
        sink.cursor(cursor(new int[] {RED}, 1, 1, 5, 5, false));
        sink.close();
        assertThat(images()).singleElement().satisfies(px -> assertThat(px).containsOnly(0xff000000));
    }

    @Test
    void aFrameWithAlphaKeepsItAndTheCursorIsBlendedOverIt() throws IOException {
        int[] frame = {0x00000000, 0xff0000ff, 0x400000ff, 0x80808080};
        PlaneInfo info = new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, DrmFormat.ARGB8888, Modifier.LINEAR, 4, 1,
                16, 16, 0, 0, Optional.empty(), 1);
        FileSink sink = sink(true);
        try (PlaneBuffer p = Frames.buffer(info, MemoryKind.SNAPSHOT, Frames.argb8888(frame, 4, 1))) {
            int[] cursor = {HALF_WHITE, HALF_WHITE, 0x00000000, 0x80000000};
            sink.frame(Frames.frame(p, 1, 0, cursor(cursor, 4, 1, 0, 0, true)));
        }
        sink.close();
        int[] out = images().get(0);
        assertThat(out[0]).as("half white over transparent").isEqualTo(0x80ffffff);
        assertThat(out[1]).as("half white over opaque blue").isEqualTo(0xff8080ff);
        assertThat(out[2]).as("clear cursor pixel keeps the frame").isEqualTo(0x400000ff);
        // half black over half grey: alpha 128 + 128 * 127 / 255 = 192; colour 128 * 64 / 192 ~ 43
        assertThat(out[3] >>> 24).isEqualTo(192);
        assertThat(out[3] & 0xff).isBetween(42, 43);
    }

    @Test
    void blendingRoundsLikeExactArithmetic() {
        for (int a = 0; a <= 255; a += 5) {
            for (int s = 0; s <= 255; s += 17) {
                for (int d = 0; d <= 255; d += 15) {
                    int got = CursorSprite.overOpaque(0xff000000 | s, a, 0xff000000 | d) & 0xff;
                    int want = (int) Math.round((s * a + d * (255 - a)) / 255.0);
                    assertThat(got).as("s=%d a=%d d=%d", s, a, d).isEqualTo(want);
                }
            }
        }
    }
}
