package io.github.scanout.core.internal.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.core.ManagedPipeline;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.RecordingSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkDeviceCheckTest {

    static ManagedPipeline pipeline(String name) {
        return new ManagedPipeline() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String spec() {
                return name;
            }

            @Override
            public PipelineState state() {
                return PipelineState.RUNNING;
            }

            @Override
            public PipelineStats stats() {
                throw new UnsupportedOperationException();
            }

            @Override
            public SinkHandle attach(FrameSink sink, String n) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void reopen() {}
        };
    }

    @Test
    void aSinkNamingAnUnknownDeviceIsReportedOnceAfterTheGracePeriod() {
        List<String> lines = new ArrayList<>();
        SinkDeviceCheck check = new SinkDeviceCheck(line -> {
            synchronized (lines) {
                lines.add(line);
            }
        }, 50);
        check.activate();
        try {
            check.addPipeline(pipeline("desk"));
            check.addSink(RecordingSink.any(), Map.of("device", "desk", "service.pid", "io.github.scanout.sink.file~ok"));
            FrameSink typo = RecordingSink.any();
            check.addSink(typo, Map.of("device", "dsek", "service.pid", "io.github.scanout.sink.file~typo"));
            check.addSink(RecordingSink.any(), Map.of("service.pid", "io.github.scanout.sink.file~none"));
            Await.until("two reports", Duration.ofSeconds(5), () -> {
                synchronized (lines) {
                    return lines.size() >= 2;
                }
            });
            check.check();
            check.addSink(RecordingSink.any(), Map.of("device", "desk", "service.pid", "io.github.scanout.sink.file~ok2"));
            check.check();
            synchronized (lines) {
                assertThat(lines).containsExactlyInAnyOrder(
                        "sink io.github.scanout.sink.file~typo names"
                                + " device 'dsek', but no device configuration (io.github.scanout.device) has that name"
                                + " (configured: [desk]); it receives nothing",
                        "sink io.github.scanout.sink.file~none has"
                                + " no 'device' property, so it is attached to no device; set device to one of [desk]");
            }
        } finally {
            check.deactivate();
        }
        Await.noScanoutThreads(Duration.ofSeconds(5));
    }
}
