package io.github.scanout.example.sink.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.support.ConfigException;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.SinkHandle;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDevices;
import io.github.scanout.source.region.RegionSources;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real pipeline on a simulated mdpy feeds the sink; the test fetches frames over loopback and decodes them. */
class HttpSinkTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
    final SimDevice guest = SimDevices.create("sim:mdpy-vga");
    final HttpSink sink = new HttpSink(0, 30);
    Pipeline pipeline;
    SinkHandle handle;

    HttpSinkTest() throws Exception {
        guest.drawTestPattern(7);
    }

    @AfterEach
    void stop() {
        if (handle != null) {
            handle.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        sink.close();
    }

    private void capture() throws Exception {
        pipeline = Pipeline.builder("vm").device(new Devices().open(guest)).sources(List.of(RegionSources.create())).build();
        handle = pipeline.attach(sink, "http");
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sink.port() + path)).timeout(WAIT).build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesTheLatestFrameAsAPngThatDecodesToTheGuestsPixels() throws Exception {
        assertThat(get("/frame.png").statusCode()).as("before any frame").isEqualTo(503);
        capture();
        HttpResponse<byte[]> r = get("/frame.png");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (r.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            r = get("/frame.png");
        }
        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(png.getWidth()).isEqualTo(640);
        assertThat(png.getHeight()).isEqualTo(480);
        int[] expected = guest.pixels();
        int[] actual = png.getRGB(0, 0, 640, 480, null, 0, 640);
        for (int i = 0; i < expected.length; i++) {
            expected[i] &= 0xffffff;
            actual[i] &= 0xffffff;
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void streamsJpegPartsABrowserCanShow() throws Exception {
        capture();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sink.port() + "/stream.mjpeg")).build();
        HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("Content-Type")).hasValue("multipart/x-mixed-replace; boundary=scanout-frame");
        try (DataInputStream in = new DataInputStream(r.body())) {
            assertThat(line(in)).isEqualTo("--scanout-frame");
            assertThat(line(in)).isEqualTo("Content-Type: image/jpeg");
            String length = line(in);
            assertThat(length).startsWith("Content-Length: ");
            assertThat(line(in)).isEmpty();
            byte[] jpeg = new byte[Integer.parseInt(length.substring(16))];
            in.readFully(jpeg);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
            assertThat(image.getWidth()).isEqualTo(640);
            assertThat(image.getHeight()).isEqualTo(480);
        }
    }

    @Test
    void theServerListensOnLoopbackOnlyAndThePageShowsTheStream() throws Exception {
        assertThat(sink.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        HttpResponse<byte[]> page = get("/");
        assertThat(new String(page.body(), StandardCharsets.UTF_8)).contains("<img src=\"stream.mjpeg\"");
        assertThat(get("/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void badSettingsAreRefusedNamingTheKeyAndValue() {
        assertThatThrownBy(() -> new HttpSink(70000, 10)).hasMessageStartingWith("port = 70000 is not a TCP port");
        assertThatThrownBy(() -> new HttpSink(0, 0)).hasMessageStartingWith("max.fps = 0.0 is out of range");
        assertThatThrownBy(() -> new HttpSink(sink.port(), 10)).isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot listen on 127.0.0.1:" + sink.port() + ": ");
    }

    /** A configuration as ConfigAdmin hands it to the component, from conf/io.github.scanout.sink.http-vm.cfg. */
    static Map<String, Object> conf(String... keysAndValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(Map.of("service.pid", "io.github.scanout.sink.http~vm",
                "service.factoryPid", HttpSink.PID, "device", "vm"));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void aConfigurationIsReadWithTheToolkit() {
        List<LogRecord> records = logged(() -> {
            HttpSink configured = new HttpSink(conf("port", "0", "max.fps", "2.5"));
            try {
                assertThat(configured.port()).isPositive();
                assertThat(configured.needs().maxFps()).isEqualTo(2.5);
            } finally {
                configured.close();
            }
        });
        assertThat(records).extracting(LogRecord::getLevel).doesNotContain(java.util.logging.Level.WARNING);
    }

    @Test
    void aBadValueIsOneLineNamingTheConfigurationKeyValueAndRule() {
        assertThatThrownBy(() -> new HttpSink(conf("port", "http")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("configuration io.github.scanout.sink.http~vm: port = 'http' is refused:"
                        + " expected a whole number from 0 to 65535");
        assertThatThrownBy(() -> new HttpSink(conf("port", "0", "max.fps", "0")))
                .hasMessage("configuration io.github.scanout.sink.http~vm: max.fps = '0' is refused:"
                        + " expected a number above 0, at most 60");
        assertThatThrownBy(() -> new HttpSink(conf("port", "0", "max.fps", "61")))
                .hasMessage("configuration io.github.scanout.sink.http~vm: max.fps = '61' is refused:"
                        + " expected a number from 0 to 60");
    }

    @Test
    void anUnknownKeyIsOneWarningAndAnOldSpellingIsReadWithADeprecationWarning() {
        List<LogRecord> records = logged(() -> {
            HttpSink configured = new HttpSink(conf("port", "0", "prot", "81", "maxFps", "3"));
            try {
                assertThat(configured.needs().maxFps()).isEqualTo(3);
            } finally {
                configured.close();
            }
        });
        assertThat(records).filteredOn(r -> r.getLevel() == java.util.logging.Level.WARNING)
                .extracting(LogRecord::getMessage).containsExactly(
                        "configuration io.github.scanout.sink.http~vm: key 'maxFps' is deprecated; it is read as"
                                + " 'max.fps' (rename it)",
                        "configuration io.github.scanout.sink.http~vm: unknown key 'prot' is ignored; the keys are"
                                + " device, port, max.fps, sink.name");
    }

    /** Records of the sink's logger while {@code body} runs. */
    static List<LogRecord> logged(Runnable body) {
        Logger logger = Logger.getLogger(HttpSink.class.getName());
        List<LogRecord> records = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (records) {
                    records.add(r);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(h);
        try {
            body.run();
        } finally {
            logger.removeHandler(h);
        }
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    private static String line(DataInputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new AssertionError("the stream ended in a header line: " + b);
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
