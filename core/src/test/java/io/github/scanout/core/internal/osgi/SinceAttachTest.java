package io.github.scanout.core.internal.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.sink.CountsOutput;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.sink.SinkOutput;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SinceAttachTest {

    /** A sink service that has written before this attach (to an earlier pipeline of its device). */
    static final class Counting implements FrameSink, CountsOutput {
        volatile SinkOutput out = new SinkOutput(40, 4000, "");
        final AtomicInteger frames = new AtomicInteger();
        final AtomicInteger detached = new AtomicInteger();

        @Override
        public SinkNeeds needs() {
            return SinkNeeds.cpuSnapshots();
        }

        @Override
        public void frame(Frame frame) {
            frames.incrementAndGet();
        }

        @Override
        public void detached() {
            detached.incrementAndGet();
        }

        @Override
        public SinkOutput output() {
            return out;
        }
    }

    @Test
    void writtenCountsFromTheAttachAndEveryCallReachesTheSink() throws Exception {
        Counting sink = new Counting();
        FrameSink attached = SinceAttach.of(sink);
        assertThat(((CountsOutput) attached).output()).isEqualTo(new SinkOutput(0, 0, ""));
        sink.out = new SinkOutput(43, 4300, "disk full");
        assertThat(((CountsOutput) attached).output()).isEqualTo(new SinkOutput(3, 300, "disk full"));
        assertThat(attached.needs()).isEqualTo(sink.needs());
        attached.frame(null);
        attached.detached();
        assertThat(sink.frames).hasValue(1);
        assertThat(sink.detached).hasValue(1);
    }

    @Test
    void theClientsServedNowPassThroughAsTheyAre() {
        Counting sink = new Counting();
        FrameSink attached = SinceAttach.of(sink);
        var client = new io.github.scanout.api.sink.SinkClient("v7", "127.0.0.1:5000", java.time.Instant.EPOCH, 4100, 3,
                0, java.util.Map.of("raw", 2L));
        sink.out = new SinkOutput(41, 4100, "", java.util.List.of(client));
        SinkOutput o = ((CountsOutput) attached).output();
        assertThat(o.clients()).containsExactly(client);
        assertThat(o.bytes()).as("the totals count from the attach, the clients' own counters as they are").isEqualTo(100);
    }

    @Test
    void aSinkThatDoesNotCountIsAttachedAsItIs() {
        FrameSink plain = new FrameSink() {
            @Override
            public SinkNeeds needs() {
                return SinkNeeds.cpuSnapshots();
            }

            @Override
            public void frame(Frame frame) {}
        };
        assertThat(SinceAttach.of(plain)).isSameAs(plain);
    }

    /** A counting sink that also forwards input. */
    static final class CountingForwarder implements FrameSink, CountsOutput, io.github.scanout.api.input.InputForwarder {
        final java.util.List<java.util.Optional<io.github.scanout.api.input.InputTarget>> targets = new java.util.ArrayList<>();

        @Override
        public SinkNeeds needs() {
            return SinkNeeds.cpuSnapshots();
        }

        @Override
        public void frame(Frame frame) {}

        @Override
        public SinkOutput output() {
            return SinkOutput.NONE;
        }

        @Override
        public void inputTarget(java.util.Optional<io.github.scanout.api.input.InputTarget> target) {
            targets.add(target);
        }
    }

    @Test
    void theDevicesInputTargetReachesASinkThatForwardsInputAndNoOtherSink() {
        io.github.scanout.api.input.InputTarget target = new io.github.scanout.api.input.InputTarget() {
            @Override
            public void key(int keysym, boolean down) {}

            @Override
            public void pointer(int x, int y, int buttons) {}
        };
        CountingForwarder forwarder = new CountingForwarder();
        FrameSink attached = SinceAttach.of(forwarder);
        ((io.github.scanout.api.input.InputForwarder) attached).inputTarget(java.util.Optional.of(target));
        ((io.github.scanout.api.input.InputForwarder) attached).inputTarget(java.util.Optional.empty());
        assertThat(forwarder.targets).containsExactly(java.util.Optional.of(target), java.util.Optional.empty());

        // a counting sink that takes no input: the wrapper's hand-off goes nowhere and fails nothing
        Counting plain = new Counting();
        FrameSink wrapped = SinceAttach.of(plain);
        ((io.github.scanout.api.input.InputForwarder) wrapped).inputTarget(java.util.Optional.of(target));
        assertThat(plain.frames).hasValue(0);
    }
}
