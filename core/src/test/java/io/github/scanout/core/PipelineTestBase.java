package io.github.scanout.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.buffer.Leases;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.FakePlaneSource;
import io.github.scanout.core.testing.FakeScreen;
import io.github.scanout.core.testing.NullDevice;
import io.github.scanout.core.testing.TestLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Pipelines over fake plane sources: every test ends with every pipeline closed, no
 * {@code scanout-} thread left, every lease closed and every fake buffer released.
 */
abstract class PipelineTestBase {

    static final Duration WAIT = Duration.ofSeconds(10);

    final TestLog log = new TestLog();
    final List<AutoCloseable> toClose = new ArrayList<>();
    final List<FakeScreen> screens = new ArrayList<>();
    long leasesAtStart;

    /**
     * The defaults, but an unchanged opaque buffer is never re-sent: these tests count frames
     * and need change detection by identity alone (the refresh has its own test).
     */
    static PipelineOptions identityOnly() {
        return PipelineOptions.defaults().withOpaqueRefresh(java.time.Duration.ZERO);
    }

    @BeforeEach
    void recordStart() {
        Await.noScanoutThreads(WAIT);
        leasesAtStart = Leases.live();
    }

    @AfterEach
    void everythingReleased() throws Exception {
        List<AutoCloseable> reversed = new ArrayList<>(toClose);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            c.close();
        }
        for (FakeScreen s : screens) {
            s.unblock();
        }
        Await.noScanoutThreads(WAIT);
        Await.until("every lease closed", WAIT, Leases::live, n -> n == leasesAtStart);
        for (FakeScreen s : screens) {
            assertThat(s.liveBuffers()).as("fake buffers still held").isZero();
        }
    }

    FakeScreen screen(BufferType type, int w, int h) {
        FakeScreen s = new FakeScreen(type, w, h);
        screens.add(s);
        return s;
    }

    FakePlaneSource source(BufferType type, int priority) {
        return new FakePlaneSource(type, priority, screen(type, 64, 48));
    }

    Pipeline.Builder builder(String name, PlaneSource... sources) {
        return Pipeline.builder(name).device(new NullDevice(name)).sources(List.of(sources)).reporter(log);
    }

    Pipeline start(Pipeline.Builder b) {
        Pipeline p = b.build();
        toClose.add(p);
        return p;
    }

    <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    static void awaitState(Pipeline p, PipelineState state) {
        Await.until(p.name() + " in state " + state, WAIT, p::state, s -> s == state);
    }
}
