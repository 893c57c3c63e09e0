package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamRotationTest {
    private static final Path BASE = Path.of("/out/capture.y4m");

    @Test
    void segmentsAreNumberedAfterTheBaseName() {
        assertThat(StreamRotation.segment(BASE, 1)).isEqualTo(BASE);
        assertThat(StreamRotation.segment(BASE, 7)).isEqualTo(Path.of("/out/capture-7.y4m"));
        assertThat(StreamRotation.segment(Path.of("/out/raw"), 3)).isEqualTo(Path.of("/out/raw-3"));
        assertThat(StreamRotation.number(BASE, "capture.y4m")).isEqualTo(1);
        assertThat(StreamRotation.number(BASE, "capture-12.y4m")).isEqualTo(12);
        for (String other : List.of("capture-1.y4m", "capture-02.y4m", "capture-x.y4m", "capture-.y4m",
                "capture-3.raw", "other-3.y4m", "capture-3.y4m.tmp", "capture-99999999999999999999.y4m")) {
            assertThat(StreamRotation.number(BASE, other)).as(other).isZero();
        }
    }

    @Test
    void aNewFileIsNumberedAboveEveryExistingSegment() {
        StreamRotation r = new StreamRotation(BASE, StreamRotation.Policy.NONE);
        r.existing(List.of("capture.y4m", "capture-5.y4m", "notes.txt", "capture-2.y4m"));
        assertThat(r.next()).isEqualTo(Path.of("/out/capture-6.y4m"));
        assertThat(r.next()).isEqualTo(Path.of("/out/capture-7.y4m"));
        StreamRotation empty = new StreamRotation(BASE, StreamRotation.Policy.NONE);
        empty.existing(List.of());
        assertThat(empty.next()).isEqualTo(BASE);
    }

    @Test
    void rotatesBySizeBeforeAFrameThatWouldNotFitButNeverLeavesAFileEmpty() {
        StreamRotation r = new StreamRotation(BASE, new StreamRotation.Policy(1000, 0, 0));
        assertThat(r.due(0, 5000, 0, 0)).as("an empty file takes any frame").isFalse();
        assertThat(r.due(600, 400, 0, 0)).isFalse();
        assertThat(r.due(600, 401, 0, 0)).isTrue();
    }

    @Test
    void rotatesByTime() {
        StreamRotation r = new StreamRotation(BASE, new StreamRotation.Policy(0, 1_000, 0));
        assertThat(r.due(10, 10, 5_000, 5_999)).isFalse();
        assertThat(r.due(10, 10, 5_000, 6_000)).isTrue();
        assertThat(r.due(0, 10, 5_000, 9_000)).isFalse();
    }

    @Test
    void keepsTheNewestSegmentsOnlyAndNamesAFailedDeletionAgain() {
        StreamRotation r = new StreamRotation(BASE, new StreamRotation.Policy(0, 0, 2));
        r.existing(List.of("capture.y4m", "capture-3.y4m", "unrelated.y4m"));
        Path a = r.next();
        assertThat(a).isEqualTo(Path.of("/out/capture-4.y4m"));
        assertThat(r.opened(a)).containsExactly(BASE);
        // the deletion failed: not confirmed
        Path b = r.next();
        assertThat(r.opened(b)).containsExactly(BASE, Path.of("/out/capture-3.y4m"));
        r.deleted(BASE);
        r.deleted(Path.of("/out/capture-3.y4m"));
        assertThat(r.segments()).containsExactly(a, b);
        assertThat(r.opened(r.next())).containsExactly(a);
    }

    @Test
    void keepZeroDeletesNothing() {
        StreamRotation r = new StreamRotation(BASE, StreamRotation.Policy.NONE);
        r.existing(List.of("capture.y4m", "capture-2.y4m"));
        assertThat(r.opened(r.next())).isEmpty();
        assertThat(r.segments()).hasSize(3);
    }

    @Test
    void refusesNegativeLimits() {
        assertThatThrownBy(() -> new StreamRotation.Policy(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StreamRotation.Policy(0, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
