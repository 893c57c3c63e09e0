package io.github.scanout.core.internal.jmx;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.core.ManagedPipeline;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.core.SinkStats;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The MXBeans in a real MBean server, read through its generic interface as jconsole does. */
class JmxMetricsTest {
    static final class FakePipeline implements ManagedPipeline {
        final AtomicReference<PipelineStats> stats = new AtomicReference<>();
        final String name;

        FakePipeline(String name) {
            this.name = name;
        }

        @Override public String name() { return name; }
        @Override public String spec() { return "sim:mdpy"; }
        @Override public PipelineState state() { return stats.get().state(); }
        @Override public PipelineStats stats() { return stats.get(); }
        @Override public SinkHandle attach(FrameSink sink, String n) { throw new UnsupportedOperationException(); }
        @Override public void reopen() {}
    }

    static PipelineStats stats(PipelineState state, List<SinkStats> sinks) {
        return new PipelineStats("desk", "sim:mdpy", state, "", "region", 0, 100, 40, 60, 0, 2, 38, 1, 0, 900, 4000, 0, 0,
                sinks);
    }

    static SinkStats sink(String name, long delivered, long written, String lastError, String noPicture) {
        return new SinkStats(name, 0, delivered, 1, 0, 0, 0, 800, 3000, written, written * 1000, lastError, noPicture);
    }

    @Test
    void devicesAndSinksComeAndGoAsBeans() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        JmxMetrics m = new JmxMetrics(server);
        FakePipeline p = new FakePipeline("desk");
        p.stats.set(stats(PipelineState.RUNNING, List.of(sink("file-1", 38, 37, "", ""))));
        m.bindPipeline(p);
        m.refresh();
        ObjectName device = new ObjectName("io.github.scanout:type=Device,name=\"desk\"");
        ObjectName file = new ObjectName("io.github.scanout:type=Sink,device=\"desk\",name=\"file-1\"");
        assertThat(server.getAttribute(device, "State")).isEqualTo("RUNNING");
        assertThat(server.getAttribute(device, "FramesCaptured")).isEqualTo(40L);
        assertThat(server.getAttribute(device, "LatencyP99Micros")).isEqualTo(4000L);
        assertThat((String[]) server.getAttribute(device, "Sinks")).containsExactly("file-1");
        assertThat(server.getAttribute(file, "FramesWritten")).isEqualTo(37L);
        assertThat(server.getAttribute(file, "BytesWritten")).isEqualTo(37_000L);
        assertThat(server.getAttribute(file, "State")).isEqualTo("RUNNING");

        // the attributes are live; a sink that cannot write says so
        p.stats.set(stats(PipelineState.RUNNING, List.of(sink("file-1", 50, 37, "cannot write to /x: disk full", ""),
                sink("vnc-1", 5, 5, "", ""))));
        assertThat(server.getAttribute(file, "State")).isEqualTo("FAILING");
        assertThat(server.getAttribute(file, "LastError")).isEqualTo("cannot write to /x: disk full");
        m.refresh();
        ObjectName vnc = new ObjectName("io.github.scanout:type=Sink,device=\"desk\",name=\"vnc-1\"");
        assertThat(server.isRegistered(vnc)).isTrue();
        assertThat((String[]) server.getAttribute(vnc, "Clients")).isEmpty();
        io.github.scanout.api.sink.SinkClient viewer = new io.github.scanout.api.sink.SinkClient("v1", "127.0.0.1:40000",
                java.time.Instant.parse("2026-12-06T09:00:00Z"), 500, 5, 1, java.util.Map.of("zrle", 7L));
        p.stats.set(stats(PipelineState.RUNNING, List.of(sink("file-1", 50, 37, "", ""),
                new SinkStats("vnc-1", 0, 5, 1, 0, 0, 0, 800, 3000, 5, 5000, "", "", List.of(viewer)))));
        assertThat((String[]) server.getAttribute(vnc, "Clients")).containsExactly(viewer.toString());

        p.stats.set(stats(PipelineState.NO_SIGNAL, List.of()));
        m.refresh();
        assertThat(server.isRegistered(file)).isFalse();
        assertThat(server.getAttribute(device, "State")).isEqualTo("NO_SIGNAL");

        m.unbindPipeline(p);
        m.refresh();
        assertThat(server.isRegistered(device)).isFalse();
        assertThat(server.queryNames(new ObjectName("io.github.scanout:*"), null)).isEmpty();
    }

    @Test
    void aSinkThatGetsNoPictureSaysSo() {
        assertThat(JmxMetrics.sinkState(sink("f", 0, 0, "", "dma-buf cannot be mapped by the CPU"))).isEqualTo("NO_PICTURE");
        assertThat(JmxMetrics.sinkState(sink("f", 3, 3, "old error", ""))).isEqualTo("RUNNING");
    }
}
