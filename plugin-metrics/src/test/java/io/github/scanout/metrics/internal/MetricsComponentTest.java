package io.github.scanout.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkClient;
import io.github.scanout.core.ManagedPipeline;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.PipelineStats;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.core.SinkStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The endpoint on a real loopback socket, with a pipeline that reports fixed stats. */
class MetricsComponentTest {
    static final class FakePipeline implements ManagedPipeline {
        @Override public String name() { return "desk"; }
        @Override public String spec() { return "sim:mdpy"; }
        @Override public PipelineState state() { return PipelineState.RUNNING; }

        @Override
        public PipelineStats stats() {
            return new PipelineStats("desk", "sim:mdpy", PipelineState.RUNNING, "", "region", 30, 100, 40, 60, 0, 2, 38, 1, 0,
                    900, 4000, 0, 0, List.of(new SinkStats("file-1", 0, 38, 1, 0, 0, 0, 800, 3000, 37, 37_000,
                            "cannot write to /x: disk \"full\"", ""), new SinkStats("vnc-1", 0, 38, 0, 0, 0, 0, 800, 3000, 38,
                            9_000, "", "", List.of(new SinkClient("v1", "127.0.0.1:40000",
                                    java.time.Instant.ofEpochSecond(1_800_000_000L, 500_000_000), 5_000, 30, 2,
                                    Map.of("zrle", 120L, "raw", 1L)), new SinkClient("v3", "unix:/run/vm \"1\".sock#3",
                                    java.time.Instant.ofEpochSecond(1_800_000_100L), 700, 3, 0, Map.of())))));
        }

        @Override public SinkHandle attach(FrameSink sink, String n) { throw new UnsupportedOperationException(); }
        @Override public void reopen() {}
    }

    @Test
    void aScrapeHasEveryDeviceAndSinkSeriesWithTheScanoutPrefix() throws Exception {
        MetricsComponent m = new MetricsComponent();
        m.bindPipeline(new FakePipeline());
        m.start(Map.of("service.pid", MetricsComponent.PID, "listen", "127.0.0.1:0"));
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + m.address().getPort());
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(r.body()).contains("scanout_device_up{device=\"desk\"} 1.0",
                    "scanout_device_state{device=\"desk\",state=\"RUNNING\"} 1.0",
                    "scanout_device_frames_captured_total{device=\"desk\"} 40.0",
                    "scanout_device_latency_seconds{device=\"desk\",quantile=\"0.99\"} 0.004",
                    "scanout_sink_frames_written_total{device=\"desk\",sink=\"file-1\"} 37.0",
                    "scanout_sink_written_bytes_total{device=\"desk\",sink=\"file-1\"} 37000.0",
                    "scanout_sink_state{device=\"desk\",sink=\"file-1\",state=\"FAILING\"} 1.0",
                    "scanout_sink_last_error_info{device=\"desk\",error=\"cannot write to /x: disk \\\"full\\\"\",sink=\"file-1\"} 1.0",
                    "# TYPE scanout_sink_frames_received_total counter",
                    "scanout_sink_client_info{client=\"v1\",device=\"desk\",peer=\"127.0.0.1:40000\",sink=\"vnc-1\"} 1.0",
                    "scanout_sink_client_info{client=\"v3\",device=\"desk\",peer=\"unix:/run/vm \\\"1\\\".sock#3\",sink=\"vnc-1\"} 1.0",
                    "scanout_sink_client_start_time_seconds{client=\"v1\",device=\"desk\",sink=\"vnc-1\"} 1.8000000005E9",
                    "scanout_sink_client_sent_bytes_total{client=\"v1\",device=\"desk\",sink=\"vnc-1\"} 5000.0",
                    "scanout_sink_client_sent_bytes_total{client=\"v3\",device=\"desk\",sink=\"vnc-1\"} 700.0",
                    "scanout_sink_client_updates_total{client=\"v1\",device=\"desk\",sink=\"vnc-1\"} 30.0",
                    "scanout_sink_client_frames_coalesced_total{client=\"v1\",device=\"desk\",sink=\"vnc-1\"} 2.0",
                    "scanout_sink_client_encodings_total{client=\"v1\",device=\"desk\",encoding=\"zrle\",sink=\"vnc-1\"} 120.0",
                    "scanout_sink_client_encodings_total{client=\"v1\",device=\"desk\",encoding=\"raw\",sink=\"vnc-1\"} 1.0");
            assertThat(r.body()).doesNotContain("client=\"v2\"");
            for (String line : r.body().split("\n")) {
                assertThat(line).matches("# (HELP|TYPE) scanout_.*|scanout_.*");
            }
            // the Grafana dashboard in examples/ queries only series this endpoint serves
            String dashboard = java.nio.file.Files.readString(java.nio.file.Path.of("../examples/grafana/scanout-dashboard.json"));
            java.util.regex.Matcher names = java.util.regex.Pattern.compile("scanout_[a-z0-9_]+").matcher(dashboard);
            int used = 0;
            while (names.find()) {
                used++;
                assertThat(r.body()).as("the dashboard's " + names.group()).contains("\n" + names.group() + "{");
            }
            assertThat(used).isGreaterThan(10);
            assertThat(http.send(HttpRequest.newBuilder(base.resolve("/")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(404);
            assertThat(http.send(HttpRequest.newBuilder(base.resolve("/metrics")).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        } finally {
            m.deactivate();
        }
    }

    @Test
    void onlyLoopbackIsAccepted() {
        MetricsComponent m = new MetricsComponent();
        assertThatThrownBy(() -> m.start(Map.of("service.pid", MetricsComponent.PID, "listen", "10.1.2.3:9464")))
                .hasMessageStartingWith("configuration io.github.scanout.metrics")
                .hasMessageEndingWith(": listen = 10.1.2.3:9464 is not a loopback address: this version serves metrics on"
                        + " loopback only (no TLS, no authentication); let Prometheus scrape on the same host, or put a"
                        + " reverse proxy with TLS and authentication in front");
        assertThatThrownBy(() -> m.start(Map.of("service.pid", MetricsComponent.PID, "listen", "127.0.0.1:99999")))
                .hasMessageContaining(": listen = 127.0.0.1:99999: expected a port from 0 to 65535");
    }
}
