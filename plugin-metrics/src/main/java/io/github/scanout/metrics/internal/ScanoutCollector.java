package io.github.scanout.metrics.internal;

import io.github.scanout.api.sink.SinkClient;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The pipelines' and sinks' stats, read at each scrape, as Prometheus metrics named
 * {@code scanout_*} (the list is in docs/operator-guide.md, "Metrics"). Counters count since
 * the pipeline opened (a reopen starts them again, which Prometheus's {@code rate()} handles);
 * latencies are over the last 1024 frames, in seconds.
 *
 * <p>Threads: any (each scrape reads the stats anew).
 */
final class ScanoutCollector implements MultiCollector {
    private final Supplier<List<PipelineStats>> pipelines;

    ScanoutCollector(Supplier<List<PipelineStats>> pipelines) {
        this.pipelines = pipelines;
    }

    /** Labels of a device's series. */
    private static Labels device(PipelineStats p) {
        return Labels.of("device", p.name());
    }

    private static Labels sink(PipelineStats p, SinkStats k) {
        return Labels.of("device", p.name(), "sink", k.name());
    }

    /**
     * Labels of a client's series: its sink's, and the client's id (made by the sink, of
     * {@code [A-Za-z0-9._-]}: never a string the client chose).
     */
    private static Labels client(PipelineStats p, SinkStats k, SinkClient c) {
        return sink(p, k).add("client", c.id());
    }

    /**
     * The clients sinks serve now (a VNC sink's viewers), each its own series; a client that is
     * gone has no series any more (its bytes stay in its sink's).
     */
    private static void clients(List<PipelineStats> all, List<MetricSnapshot> out) {
        GaugeSnapshot.Builder info = GaugeSnapshot.builder().name("scanout_sink_client_info")
                .help("A client a sink serves now (a VNC viewer) and its peer, the address it came from (value 1)");
        GaugeSnapshot.Builder start = GaugeSnapshot.builder().name("scanout_sink_client_start_time_seconds")
                .help("When the client connected, in seconds since the epoch");
        CounterSnapshot.Builder bytes = CounterSnapshot.builder().name("scanout_sink_client_sent_bytes")
                .help("Bytes sent to the client");
        CounterSnapshot.Builder updates = CounterSnapshot.builder().name("scanout_sink_client_updates")
                .help("Updates sent to the client");
        CounterSnapshot.Builder coalesced = CounterSnapshot.builder().name("scanout_sink_client_frames_coalesced")
                .help("Frames merged into a later update because the client was slower than the screen changed");
        CounterSnapshot.Builder encodings = CounterSnapshot.builder().name("scanout_sink_client_encodings")
                .help("What the client was sent, by encoding (a VNC viewer: rectangles)");
        for (PipelineStats p : all) {
            for (SinkStats k : p.sinks()) {
                for (SinkClient c : k.clients()) {
                    Labels l = client(p, k, c);
                    info.dataPoint(GaugeDataPointSnapshot.builder().labels(l.add("peer", c.peer())).value(1).build());
                    start.dataPoint(GaugeDataPointSnapshot.builder().labels(l)
                            .value(c.since().getEpochSecond() + c.since().getNano() / 1e9).build());
                    bytes.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(c.bytes()).build());
                    updates.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(c.updates()).build());
                    coalesced.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(c.coalesced()).build());
                    for (Map.Entry<String, Long> e : c.encodings().entrySet()) {
                        encodings.dataPoint(CounterDataPointSnapshot.builder().labels(l.add("encoding", e.getKey()))
                                .value(e.getValue()).build());
                    }
                }
            }
        }
        out.add(info.build());
        out.add(start.build());
        out.add(bytes.build());
        out.add(updates.build());
        out.add(coalesced.build());
        out.add(encodings.build());
    }

    /** A sink's state; the same words as its JMX bean's State. */
    static String sinkState(SinkStats k) {
        if (!k.noPicture().isEmpty()) {
            return "NO_PICTURE";
        }
        if (!k.lastError().isEmpty() && k.written() < k.delivered()) {
            return "FAILING";
        }
        return "RUNNING";
    }

    @Override
    public MetricSnapshots collect() {
        List<PipelineStats> all = pipelines.get();
        List<MetricSnapshot> out = new ArrayList<>();
        GaugeSnapshot.Builder info = GaugeSnapshot.builder().name("scanout_device_info")
                .help("A device pipeline: its spec and the plane source capturing it (value 1)");
        GaugeSnapshot.Builder state = GaugeSnapshot.builder().name("scanout_device_state")
                .help("1 for the state the device pipeline is in (RUNNING, NO_SIGNAL, FAILED...)");
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("scanout_device_up")
                .help("1 while the device pipeline captures (state RUNNING), else 0");
        GaugeSnapshot.Builder latency = GaugeSnapshot.builder().name("scanout_device_latency_seconds")
                .help("Capture to delivery latency over the last 1024 frames, by quantile");
        for (PipelineStats p : all) {
            info.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("device", p.name(), "spec", p.spec(),
                    "source", p.source())).value(1).build());
            state.dataPoint(GaugeDataPointSnapshot.builder().labels(device(p).add("state", p.state().name())).value(1)
                    .build());
            up.dataPoint(GaugeDataPointSnapshot.builder().labels(device(p))
                    .value(p.state().name().equals("RUNNING") ? 1 : 0).build());
            latency.dataPoint(GaugeDataPointSnapshot.builder().labels(device(p).add("quantile", "0.5"))
                    .value(p.latencyP50Micros() / 1e6).build());
            latency.dataPoint(GaugeDataPointSnapshot.builder().labels(device(p).add("quantile", "0.99"))
                    .value(p.latencyP99Micros() / 1e6).build());
        }
        out.add(info.build());
        out.add(state.build());
        out.add(up.build());
        out.add(latency.build());
        Map<String, ToDoubleFunction<PipelineStats>> deviceCounters = new LinkedHashMap<>();
        deviceCounters.put("scanout_device_polls|Capture ticks", PipelineStats::polls);
        deviceCounters.put("scanout_device_frames_captured|Frames captured (the picture changed)", PipelineStats::captured);
        deviceCounters.put("scanout_device_frames_unchanged|Polls that found the picture unchanged", PipelineStats::unchanged);
        deviceCounters.put("scanout_device_frames_delivered|Frames handed to sinks", PipelineStats::delivered);
        deviceCounters.put("scanout_device_frames_dropped|Frames sink queues dropped", PipelineStats::dropped);
        deviceCounters.put("scanout_device_errors|Device calls that failed", PipelineStats::deviceErrors);
        deviceCounters.put("scanout_device_sink_errors|Sink calls that threw", PipelineStats::sinkErrors);
        for (Map.Entry<String, ToDoubleFunction<PipelineStats>> e : deviceCounters.entrySet()) {
            String[] nh = e.getKey().split("\\|");
            CounterSnapshot.Builder c = CounterSnapshot.builder().name(nh[0]).help(nh[1]);
            for (PipelineStats p : all) {
                c.dataPoint(CounterDataPointSnapshot.builder().labels(device(p)).value(e.getValue().applyAsDouble(p)).build());
            }
            out.add(c.build());
        }

        GaugeSnapshot.Builder sinkState = GaugeSnapshot.builder().name("scanout_sink_state")
                .help("1 for the state the sink is in (RUNNING, NO_PICTURE, FAILING)");
        GaugeSnapshot.Builder queued = GaugeSnapshot.builder().name("scanout_sink_queued")
                .help("Frames waiting in the sink's queue");
        GaugeSnapshot.Builder sinkLatency = GaugeSnapshot.builder().name("scanout_sink_latency_seconds")
                .help("Capture until the sink's frame call returned, over its last 1024 frames, by quantile");
        GaugeSnapshot.Builder lastError = GaugeSnapshot.builder().name("scanout_sink_last_error_info")
                .help("The sink's last error (value 1; only for a sink that has one)");
        for (PipelineStats p : all) {
            for (SinkStats k : p.sinks()) {
                sinkState.dataPoint(GaugeDataPointSnapshot.builder().labels(sink(p, k).add("state", sinkState(k))).value(1)
                        .build());
                queued.dataPoint(GaugeDataPointSnapshot.builder().labels(sink(p, k)).value(k.queued()).build());
                sinkLatency.dataPoint(GaugeDataPointSnapshot.builder().labels(sink(p, k).add("quantile", "0.5"))
                        .value(k.latencyP50Micros() / 1e6).build());
                sinkLatency.dataPoint(GaugeDataPointSnapshot.builder().labels(sink(p, k).add("quantile", "0.99"))
                        .value(k.latencyP99Micros() / 1e6).build());
                if (!k.lastError().isEmpty()) {
                    lastError.dataPoint(GaugeDataPointSnapshot.builder().labels(sink(p, k).add("error", k.lastError()))
                            .value(1).build());
                }
            }
        }
        out.add(sinkState.build());
        out.add(queued.build());
        out.add(sinkLatency.build());
        out.add(lastError.build());
        Map<String, ToDoubleFunction<SinkStats>> sinkCounters = new LinkedHashMap<>();
        sinkCounters.put("scanout_sink_frames_received|Frames the sink took", SinkStats::delivered);
        sinkCounters.put("scanout_sink_frames_written|Frames the sink wrote", SinkStats::written);
        sinkCounters.put("scanout_sink_frames_dropped|Frames the sink's queue dropped", SinkStats::dropped);
        sinkCounters.put("scanout_sink_written_bytes|Bytes the sink wrote", SinkStats::bytesWritten);
        sinkCounters.put("scanout_sink_errors|Calls of the sink that threw", SinkStats::errors);
        for (Map.Entry<String, ToDoubleFunction<SinkStats>> e : sinkCounters.entrySet()) {
            String[] nh = e.getKey().split("\\|");
            CounterSnapshot.Builder c = CounterSnapshot.builder().name(nh[0]).help(nh[1]);
            for (PipelineStats p : all) {
                for (SinkStats k : p.sinks()) {
                    c.dataPoint(CounterDataPointSnapshot.builder().labels(sink(p, k)).value(e.getValue().applyAsDouble(k))
                            .build());
                }
            }
            out.add(c.build());
        }
        clients(all, out);
        return new MetricSnapshots(out);
    }
}
