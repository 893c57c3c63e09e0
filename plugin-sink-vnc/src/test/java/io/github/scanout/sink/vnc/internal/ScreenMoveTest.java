package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scrolls the screen finds for CopyRect, and the update a viewer holding the previous frame
 * gets: one CopyRect for the moved part, tiles only for what the move does not explain.
 */
class ScreenMoveTest {
    private static final int W = 640;
    private static final int H = 480;

    /** A panel panned by {@code dx} columns (content moves left for dx > 0) above a fixed bar of {@code bar} rows. */
    private static int[][] pan(int dx, int bar) {
        int wide = W + Math.abs(dx);
        int[] page = TestFrames.pattern(wide, H, 7);
        int[] status = TestFrames.pattern(W, bar, 8);
        int[] before = new int[W * H];
        int[] after = new int[W * H];
        int from = dx < 0 ? -dx : 0;
        for (int y = 0; y < H - bar; y++) {
            System.arraycopy(page, y * wide + from, before, y * W, W);
            System.arraycopy(page, y * wide + from + dx, after, y * W, W);
        }
        System.arraycopy(status, 0, before, (H - bar) * W, W * bar);
        System.arraycopy(status, 0, after, (H - bar) * W, W * bar);
        return new int[][] {before, after};
    }

    @Test
    void aHorizontalPanIsFoundOverTheRowsThatMovedAndTheWidthTheyKeep() {
        int[][] f = pan(40, 64);
        assertThat(Screen.Move.find(f[0], f[1], W, H, 2)).isEqualTo(new Screen.Move(2, 0, 0, W - 40, H - 64, 40, 0));
        int[][] g = pan(-24, 0);
        assertThat(Screen.Move.find(g[0], g[1], W, H, 5)).isEqualTo(new Screen.Move(5, 24, 0, W - 24, H, 0, 0));
    }

    @Test
    void aVerticalScrollIsStillFoundFirstAndUnrelatedFramesHaveNoMove() {
        int[] page = TestFrames.pattern(W, H + 32, 9);
        int[] top = java.util.Arrays.copyOfRange(page, 0, W * H);
        int[] down = java.util.Arrays.copyOfRange(page, 32 * W, (32 + H) * W);
        assertThat(Screen.Move.find(top, down, W, H, 3)).isEqualTo(new Screen.Move(3, 0, 0, W, H - 32, 0, 32));
        assertThat(Screen.Move.find(TestFrames.pattern(W, H, 1), TestFrames.pattern(W, H, 2), W, H, 3)).isNull();
    }

    @Test
    void aViewerHoldingTheFrameBeforeGetsOneCopyRectAndOnlyTheTilesItDoesNotCover() throws Exception {
        int[][] f = pan(40, 64);
        Screen screen = new Screen(W, H);
        screen.frame(W, H, f[0].clone());
        ViewerState v = new ViewerState();
        v.encodings(new int[] {ViewerState.RAW, ViewerState.COPY_RECT});
        screen.join(v);
        v.requested = true;
        assertThat(screen.next(v, 1000).tiles()).hasSize(1); // the whole first picture
        screen.frame(W, H, f[1].clone());
        v.requested = true;
        Screen.Update u = screen.next(v, 1000);
        assertThat(u.copy()).containsExactly(0, 0, W - 40, H - 64, 40, 0);
        // the copy covers tile columns 0 to 8 (x < 576 < 600) of tile rows 0 to 5 (y < 384 < 416): column 9
        // of those rows is sent, and tile row 6 (384 to 448, partly panel, partly bar) whole; row 7 is unchanged
        List<Screen.Rect> sent = u.tiles().stream().map(Screen.Tile::rect).toList();
        assertThat(sent).containsExactly(new Screen.Rect(576, 0, 64, 64), new Screen.Rect(576, 64, 64, 64),
                new Screen.Rect(576, 128, 64, 64), new Screen.Rect(576, 192, 64, 64), new Screen.Rect(576, 256, 64, 64),
                new Screen.Rect(576, 320, 64, 64), new Screen.Rect(0, 384, 640, 64));
        // applied to the picture the viewer holds, the copy and the tiles give the new frame
        int[] held = f[0].clone();
        int[] c = u.copy();
        int[] moved = new int[c[2] * c[3]];
        for (int y = 0; y < c[3]; y++) {
            System.arraycopy(held, (c[5] + y) * W + c[4], moved, y * c[2], c[2]);
        }
        for (int y = 0; y < c[3]; y++) {
            System.arraycopy(moved, y * c[2], held, (c[1] + y) * W + c[0], c[2]);
        }
        for (Screen.Tile t : u.tiles()) {
            Screen.Rect r = t.rect();
            for (int y = 0; y < r.height(); y++) {
                System.arraycopy(t.argb(), y * r.width(), held, (r.y() + y) * W + r.x(), r.width());
            }
        }
        assertThat(held).isEqualTo(f[1]);
    }
}
