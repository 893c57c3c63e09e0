package io.github.scanout.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.FakePlaneSource;
import io.github.scanout.core.testing.RecordingSink;
import io.github.scanout.api.BufferType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sinks that take the JVM's memory or stack: the one that does is detached by its own worker and
 * reported once; capture and the other sinks go on, and what it held can be collected.
 */
class PipelineSinkIsolationTest extends PipelineTestBase {

    FakePlaneSource flowing() {
        FakePlaneSource src = new FakePlaneSource(BufferType.DMABUF, 200, screen(BufferType.DMABUF, 64, 48));
        src.screen().newBufferEveryAcquire(true);
        return src;
    }

    /** Throws the given error from its third frame on. */
    static final class FatalSink implements FrameSink {
        final Error error;
        volatile int frames;
        volatile int detached;

        FatalSink(Error error) {
            this.error = error;
        }

        @Override
        public SinkNeeds needs() {
            return new SinkNeeds(false, false, java.util.Set.of(), 0);
        }

        @Override
        public void frame(Frame frame) {
            if (++frames >= 3) {
                throw error;
            }
        }

        @Override
        public void detached() {
            detached++;
        }
    }

    @Test
    void aSinkThatRunsOutOfMemoryIsDetachedAndReportedOnceWhileTheOthersGoOn() throws Exception {
        Pipeline p = start(builder("d", flowing()).options(identityOnly().withMaxRate(200)));
        RecordingSink steady = RecordingSink.any();
        closeLater(p.attach(steady, "steady"));
        FatalSink hog = new FatalSink(new OutOfMemoryError("Java heap space"));
        SinkHandle h = closeLater(p.attach(hog, "hog"));
        Await.until("the hog detached", WAIT, () -> !h.attached());
        Await.until("the hog told it is detached", WAIT, () -> hog.detached == 1);
        assertThat(hog.frames).isEqualTo(3);
        Await.until("the hog gone from the stats", WAIT, () -> p.stats().sink("hog") == null);
        Await.until("its thread ended", WAIT, () -> !Await.scanoutThreads().contains("scanout-sink-hog"));
        int before = steady.frames();
        steady.awaitFrames(before + 20, WAIT);
        assertThat(p.state()).isEqualTo(PipelineState.RUNNING);
        assertThat(log.lines()).filteredOn(l -> l.contains("hog")).containsExactly(
                "ERROR device 'd': sink 'hog' threw OutOfMemoryError: Java heap space from frame(); it is detached so that"
                        + " capture and the other sinks go on (attach it again to retry)");
        // the name is free again: an operator can attach it anew
        FatalSink again = new FatalSink(new StackOverflowError());
        SinkHandle h2 = closeLater(p.attach(again, "hog"));
        Await.until("the second hog detached", WAIT, () -> !h2.attached());
        assertThat(log.count("sink 'hog' threw StackOverflowError from frame()")).isEqualTo(1);
    }

    /** A sink that keeps a copy of every frame: 4 MiB more per frame, without bound. */
    static final class HoardingSink implements FrameSink {
        private final List<byte[]> hoard = new ArrayList<>();

        @Override
        public SinkNeeds needs() {
            return new SinkNeeds(false, false, java.util.Set.of(), 0);
        }

        @Override
        public void frame(Frame frame) {
            hoard.add(new byte[4 << 20]);
        }

        @Override
        public void cursor(CursorState cursor) {}
    }

    /**
     * In a JVM of its own with a 96 MiB heap: a sink that hoards memory until the heap is gone,
     * next to a steady sink. The hoarder is detached, the memory comes back, the steady sink keeps
     * receiving frames and the process ends normally.
     */
    public static void main(String[] args) throws Exception {
        FakePlaneSource src = new FakePlaneSource(BufferType.DMABUF, 200,
                new io.github.scanout.core.testing.FakeScreen(BufferType.DMABUF, 64, 48));
        src.screen().newBufferEveryAcquire(true);
        io.github.scanout.core.testing.TestLog log = new io.github.scanout.core.testing.TestLog();
        try (Pipeline p = Pipeline.builder("vm").device(new io.github.scanout.core.testing.NullDevice("vm"))
                .sources(List.of(src)).reporter(log)
                .options(identityOnly().withMaxRate(200)).build()) {
            RecordingSink steady = RecordingSink.any();
            p.attach(steady, "steady");
            SinkHandle hog = p.attach(new HoardingSink(), "hoarder");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (hog.attached() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            boolean ended = hog.detach(java.time.Duration.ofSeconds(10)); // waits for its thread to end
            System.gc();
            long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            int before = steady.frames();
            steady.awaitFrames(before + 50, java.time.Duration.ofSeconds(60));
            System.out.println("hoarder attached=" + hog.attached() + " ended=" + ended + " state=" + p.state()
                    + " usedAfterGcMiB=" + (used >> 20) + " steadyFrames=" + steady.frames());
            log.lines().forEach(l -> System.out.println("log: " + l));
        }
    }

    @Test
    void aSinkThatHoardsMemoryInASmallHeapIsDetachedAndTheHeapComesBack() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx96m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), PipelineSinkIsolationTest.class.getName())
                .redirectErrorStream(true).start();
        String out;
        try {
            out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child ended").isTrue();
        } finally {
            child.destroyForcibly();
        }
        System.err.println(out);
        assertThat(child.exitValue()).as(out).isZero();
        assertThat(out).contains("hoarder attached=false ended=true state=RUNNING")
                .contains("log: ERROR device 'vm': sink 'hoarder' threw OutOfMemoryError: Java heap space from frame(); it is"
                        + " detached so that capture and the other sinks go on (attach it again to retry)");
        long usedMiB = Long.parseLong(out.replaceAll("(?s).*usedAfterGcMiB=(\\d+).*", "$1"));
        assertThat(usedMiB).as("heap in use after the hoarder is gone").isLessThan(32);
        assertThat(out).doesNotContain("Exception in thread");
    }
}
