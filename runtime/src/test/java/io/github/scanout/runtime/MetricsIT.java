package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scanout run --metrics}: the built distribution installs bundles/metrics/ and serves
 * Prometheus text on loopback, scraped here over HTTP and parsed by the Prometheus project's own
 * Python client ({@code prometheus_client.parser}, Debian's python3-prometheus-client), which
 * nobody here wrote. A non-loopback address is refused before anything starts.
 */
class MetricsIT {
    @TempDir
    Path dir;

    static Path script;

    @BeforeAll
    static void locate() {
        script = TestRuntime.dist().resolve("bin/scanout");
        assertThat(script).isExecutable();
    }

    /** Each sample as {@code family|type|sample|labels|value}, from the real parser. */
    static final String PARSE = String.join("\n",
            "import sys, urllib.request",
            "from prometheus_client.parser import text_string_to_metric_families",
            "body = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode('utf-8')",
            "for f in text_string_to_metric_families(body):",
            "    for s in f.samples:",
            "        labels = ','.join(k + '=' + v for k, v in sorted(s.labels.items()))",
            "        print('|'.join([f.name, f.type, s.name, labels, repr(float(s.value))]))");

    record Sample(String family, String type, String name, String labels, double value) {}

    static List<Sample> scrape(int port) throws IOException, InterruptedException {
        // Debian's interpreter, which python3-prometheus-client installs into (a python3 earlier on
        // the PATH, such as a pyenv shim, does not see Debian's packages)
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", PARSE, "http://127.0.0.1:" + port + "/metrics").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("the parser took the scrape: " + err).isZero();
        List<Sample> samples = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                String[] f = line.split("\\|", -1);
                samples.add(new Sample(f[0], f[1], f[2], f[3], Double.parseDouble(f[4])));
            }
        }
        return samples;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aScrapeOfARunningDistributionParsesWithPrometheusOwnParser() throws Exception {
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "run", "--device", "sim:mdpy-vga", "--sink",
                "file:shots?sink.name=shots", "--metrics", "127.0.0.1:" + port).directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        pb.environment().put("SCANOUT_CDS", "off");
        LauncherIT.Running r = new LauncherIT.Running(pb.start());
        r.process.getOutputStream().close();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!r.out().contains(" is live") && r.process.isAlive() && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertThat(r.out()).as(r.err()).contains(" is live");
            List<Sample> s = List.of();
            while (System.nanoTime() < end) {
                s = scrape(port);
                if (s.stream().anyMatch(x -> x.name().equals("scanout_sink_frames_written_total") && x.value() >= 2)) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(s).as(s.toString())
                    .contains(new Sample("scanout_device_up", "gauge", "scanout_device_up", "device=sim:mdpy-vga", 1.0))
                    .contains(new Sample("scanout_device_state", "gauge", "scanout_device_state",
                            "device=sim:mdpy-vga,state=RUNNING", 1.0))
                    .contains(new Sample("scanout_sink_state", "gauge", "scanout_sink_state",
                            "device=sim:mdpy-vga,sink=shots,state=RUNNING", 1.0))
                    .anyMatch(x -> x.family().equals("scanout_device_frames_captured") && x.type().equals("counter")
                            && x.name().equals("scanout_device_frames_captured_total") && x.value() >= 2)
                    .anyMatch(x -> x.name().equals("scanout_sink_frames_written_total")
                            && x.labels().equals("device=sim:mdpy-vga,sink=shots") && x.value() >= 2)
                    .anyMatch(x -> x.name().equals("scanout_sink_written_bytes_total") && x.value() > 1000)
                    .anyMatch(x -> x.name().equals("scanout_sink_latency_seconds")
                            && x.labels().equals("device=sim:mdpy-vga,quantile=0.99,sink=shots") && x.value() > 0)
                    .allMatch(x -> x.name().startsWith("scanout_"));
        } finally {
            r.process.destroy();
        }
        LauncherIT.Result res = r.await();
        assertThat(res.code()).as(res.toString()).isZero();
    }

    @Test
    void aNonLoopbackAddressIsRefusedBeforeAnythingStarts() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "run", "--device", "sim:mdpy-vga", "--metrics",
                "0.0.0.0:9464").directory(dir.toFile());
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        LauncherIT.Result res = new LauncherIT.Running(pb.start()).await();
        assertThat(res.code()).isEqualTo(2);
        assertThat(res.err().strip()).isEqualTo("scanout: --metrics 0.0.0.0:9464 is not a loopback address: this version"
                + " serves metrics on loopback only (no TLS, no authentication); scrape on this host or through a"
                + " reverse proxy (see scanout --help)");
    }

    /**
     * The service as the shipped unit runs it: {@code run} with conf/ only (a device and the
     * metrics configuration), a notify socket; READY comes once the device is live, and the
     * endpoint configured in conf/ serves its series. A second, non-loopback configuration of
     * the endpoint is refused in one line naming its file while the rest runs on.
     */
    @Test
    void theServiceFromConfIsReadyAndServesMetricsConfiguredInConf() throws Exception {
        Path home = dir.resolve("dist");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        int port = freePort();
        java.nio.file.Files.writeString(home.resolve("conf/io.github.scanout.device-desk.cfg"),
                "spec = sim:mdpy-xga\nname = desk\n");
        java.nio.file.Files.writeString(home.resolve("conf/io.github.scanout.metrics.cfg"), "listen = 127.0.0.1:" + port + "\n");
        String socket = dir.resolve("notify").toString();
        try (SystemdIT.NotifySocket n = new SystemdIT.NotifySocket(socket)) {
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/scanout").toString(), "run").directory(dir.toFile());
            pb.environment().remove("XDG_RUNTIME_DIR");
            pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
            pb.environment().put("SCANOUT_CDS", "off");
            pb.environment().put("NOTIFY_SOCKET", socket);
            LauncherIT.Running r = new LauncherIT.Running(pb.start());
            r.process.getOutputStream().close();
            try {
                List<String> got = n.until("READY=1");
                assertThat(got.get(got.size() - 1)).isEqualTo("READY=1|STATUS=1 device live");
                List<Sample> s = scrape(port);
                assertThat(s).contains(new Sample("scanout_device_up", "gauge", "scanout_device_up", "device=desk", 1.0));
            } finally {
                r.process.destroy();
            }
            LauncherIT.Result res = r.await();
            assertThat(res.code()).as(res.toString()).isZero();
        }
    }

    @Test
    void aNonLoopbackAddressInConfIsRefusedInOneLineNamingTheFile() throws Exception {
        Path home = dir.resolve("dist");
        LauncherIT.copyTree(TestRuntime.dist(), home);
        java.nio.file.Files.writeString(home.resolve("conf/io.github.scanout.metrics.cfg"), "listen = 0.0.0.0:9464\n");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/scanout").toString(), "run", "--duration", "2")
                .directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", dir.resolve("cache").toString());
        pb.environment().put("SCANOUT_CDS", "off");
        LauncherIT.Running r = new LauncherIT.Running(pb.start());
        r.process.getOutputStream().close();
        LauncherIT.Result res = r.await();
        assertThat(res.code()).as(res.toString()).isZero();
        assertThat(res.errLines()).as(res.toString()).singleElement().satisfies(l -> assertThat(l)
                .contains("io.github.scanout.metrics.cfg")
                .contains("listen = 0.0.0.0:9464 is not a loopback address: this version serves metrics on loopback only"));
    }
}
