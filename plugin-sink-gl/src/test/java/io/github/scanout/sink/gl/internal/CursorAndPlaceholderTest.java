package io.github.scanout.sink.gl.internal;

import static io.github.scanout.sink.gl.internal.GlTestSupport.TIMEOUT_S;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Hotspot;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.sink.CursorState;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cursor quad (placement, hotspot, clipping, blending, moves without uploads) and the placeholder. */
class CursorAndPlaceholderTest {
    static final int W = 64;
    static final int H = 48;
    static final int CW = 8;
    static final int CH = 6;

    private GlSink sink;
    private long leasesBefore;
    private int[] primary;
    private int[] cursorImage;

    @BeforeEach
    void start() throws Exception {
        GlTestSupport.assumeHeadlessGl();
        leasesBefore = Leases.live();
        primary = new int[W * H];
        for (int i = 0; i < primary.length; i++) {
            primary[i] = 0xff000000 | (i * 2654435761L > 0 ? (int) (i * 2654435761L) & 0xffffff : i);
        }
        cursorImage = new int[CW * CH];
        for (int y = 0; y < CH; y++) {
            for (int x = 0; x < CW; x++) {
                // an opaque shape with transparent holes: exact for alpha 0 and 255
                boolean on = (x + y) % 3 != 0;
                cursorImage[y * CW + x] = on ? 0xff000000 | (x * 30) << 16 | (y * 40) << 8 | 0x55 : 0x00ffffff;
            }
        }
    }

    @AfterEach
    void stop() {
        if (sink != null) {
            sink.close();
            assertThat(Leases.live()).as("leases after close").isEqualTo(leasesBefore);
        }
    }

    private GlSink sink(CursorOrigin origin) throws Exception {
        sink = GlSink.create(GlSinkOptions.headless("cursor").withCursorOrigin(origin));
        sink.ready().get(TIMEOUT_S, TimeUnit.SECONDS);
        return sink;
    }

    private void sendFrame(CursorState cursor) {
        try (PlaneBuffer p = GlTestSupport.argbBuffer(DrmFormat.XRGB8888, W, H, primary, PlaneType.PRIMARY)) {
            sink.frame(GlTestSupport.frame(p, 1, cursor));
        }
    }

    private void sendCursor(int x, int y, Hotspot hot, boolean changed) throws Exception {
        try (PlaneBuffer c = GlTestSupport.argbBuffer(DrmFormat.ARGB8888, CW, CH, cursorImage, PlaneType.CURSOR)) {
            sink.cursor(GlTestSupport.cursor(c, x, y, hot, changed));
        }
    }

    /** The CPU reference: the cursor's opaque pixels over the primary, its corner at (cx, cy). */
    private int[] expected(int cx, int cy) {
        int[] out = primary.clone();
        for (int y = 0; y < CH; y++) {
            for (int x = 0; x < CW; x++) {
                int fx = cx + x;
                int fy = cy + y;
                int s = cursorImage[y * CW + x];
                if (fx >= 0 && fy >= 0 && fx < W && fy < H && (s >>> 24) == 255) {
                    out[fy * W + fx] = s;
                }
            }
        }
        return out;
    }

    private void assertShows(int[] expected, String what) throws Exception {
        Snapshot s = sink.snapshot().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(GlTestSupport.firstDifference(expected, s.argb(), W)).as(what).isNull();
    }

    @Test
    void cursorIsCompositedAtItsTopLeftCorner() throws Exception {
        sink(CursorOrigin.TOP_LEFT);
        sendFrame(CursorState.hidden());
        sendCursor(10, 7, new Hotspot(3, 2), true);
        assertShows(expected(10, 7), "cursor at 10,7; the api's x,y is the top-left corner, the hotspot does not move it");
    }

    @Test
    void pointerOriginAppliesTheHotspot() throws Exception {
        sink(CursorOrigin.POINTER);
        sendFrame(CursorState.hidden());
        sendCursor(10, 7, new Hotspot(3, 2), true);
        assertShows(expected(7, 5), "pointer at 10,7 minus hotspot 3,2");
        sendCursor(10, 7, null, false);
        assertShows(expected(10, 7), "no hotspot reported: nothing subtracted");
    }

    @Test
    void cursorMovesWithoutUploadingThePrimaryPlaneAgain() throws Exception {
        sink(CursorOrigin.TOP_LEFT);
        sendFrame(CursorState.hidden());
        sendCursor(1, 1, null, true);
        sink.drawn().get(TIMEOUT_S, TimeUnit.SECONDS);
        HeadlessDriver d = (HeadlessDriver) sink.driver();
        SinkRenderer.Stats before = copy(d.stats().get(TIMEOUT_S, TimeUnit.SECONDS));
        for (int i = 0; i < 5; i++) {
            sendCursor(2 + i * 5, 3 + i * 4, null, false);
            assertShows(expected(2 + i * 5, 3 + i * 4), "move " + i);
        }
        SinkRenderer.Stats after = d.stats().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(after.uploads).as("primary uploads").isEqualTo(before.uploads);
        assertThat(after.cursorUploads).as("cursor image uploads for moves").isEqualTo(before.cursorUploads);
        assertThat(after.draws).as("draws").isGreaterThan(before.draws);
    }

    private static SinkRenderer.Stats copy(SinkRenderer.Stats s) {
        SinkRenderer.Stats c = new SinkRenderer.Stats();
        c.uploads = s.uploads;
        c.cursorUploads = s.cursorUploads;
        c.draws = s.draws;
        return c;
    }

    @Test
    void cursorIsClippedAtTheEdgesAndHiddenWhenThePlaneIsDisabled() throws Exception {
        sink(CursorOrigin.TOP_LEFT);
        sendFrame(CursorState.hidden());
        sendCursor(-3, -2, null, true);
        assertShows(expected(-3, -2), "off the top-left edge");
        sendCursor(W - 4, H - 3, null, false);
        assertShows(expected(W - 4, H - 3), "off the bottom-right edge");
        sink.cursor(CursorState.hidden());
        assertShows(primary, "cursor plane disabled");
        sendCursor(20, 20, null, false);
        assertShows(expected(20, 20), "shown again with the image uploaded before");
    }

    @Test
    void cursorInAFrameIsShownWithIt() throws Exception {
        sink(CursorOrigin.TOP_LEFT);
        try (PlaneBuffer c = GlTestSupport.argbBuffer(DrmFormat.ARGB8888, CW, CH, cursorImage, PlaneType.CURSOR)) {
            sendFrame(GlTestSupport.cursor(c, 30, 40, null, true));
        }
        assertShows(expected(30, 40), "cursor carried by the frame");
    }

    @Test
    void translucentCursorPixelsBlendSourceOver() throws Exception {
        sink(CursorOrigin.TOP_LEFT);
        for (int i = 0; i < cursorImage.length; i++) {
            cursorImage[i] = (i * 37 % 256) << 24 | 0x00c08040;
        }
        sendFrame(CursorState.hidden());
        sendCursor(5, 5, null, true);
        Snapshot s = sink.snapshot().get(TIMEOUT_S, TimeUnit.SECONDS);
        for (int y = 0; y < CH; y++) {
            for (int x = 0; x < CW; x++) {
                int src = cursorImage[y * CW + x];
                int a = src >>> 24;
                int dst = primary[(5 + y) * W + 5 + x];
                int got = s.pixel(5 + x, 5 + y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int exp = Math.round((((src >>> shift) & 0xff) * a + ((dst >>> shift) & 0xff) * (255 - a)) / 255f);
                    assertThat(Math.abs(((got >>> shift) & 0xff) - exp)).as("channel at %d,%d alpha %d", x, y, a)
                            .isLessThanOrEqualTo(1);
                }
            }
        }
    }

    @Test
    void placeholderBeforeTheFirstFrameAndWhileThereIsNoSignal() throws Exception {
        sink(CursorOrigin.TOP_LEFT);
        Snapshot first = sink.snapshot().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(first.width()).isEqualTo(Placeholder.WIDTH);
        assertThat(GlTestSupport.firstDifference(Placeholder.render("cursor", "waiting for the first frame"), first.argb(),
                Placeholder.WIDTH)).isNull();
        sendFrame(CursorState.hidden());
        assertShows(primary, "the frame");
        sink.noSignal("the guest has not set a display mode");
        Snapshot none = sink.snapshot().get(TIMEOUT_S, TimeUnit.SECONDS);
        assertThat(GlTestSupport.firstDifference(Placeholder.render("cursor", "the guest has not set a display mode"),
                none.argb(), Placeholder.WIDTH)).isNull();
        assertThat(none.argb()).as("never black").contains(Placeholder.TITLE);
    }
}
