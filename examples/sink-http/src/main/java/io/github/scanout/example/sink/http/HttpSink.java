package io.github.scanout.example.sink.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.api.sink.Frame;
import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.SinkNeeds;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * A sink that serves a device's latest frame over HTTP on loopback only: {@code /} is a page
 * that shows the live stream, {@code /frame.png} the latest frame as PNG, {@code /stream.mjpeg}
 * a {@code multipart/x-mixed-replace} stream of JPEGs (what browsers show as video). Images are
 * encoded with the JDK's ImageIO (the file sink's faster PNG encoder is internal to its bundle).
 *
 * <p>Threads: SCR constructs and deactivates it; {@link #frame} and {@link #noSignal} come from
 * the pipeline's delivery thread for this sink; requests are served on the server's own threads
 * ({@code scanout-http-PORT-N}), one per open request, all ended by {@link #close()}.
 */
@Component(configurationPid = HttpSink.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = FrameSink.class)
@Designate(ocd = HttpSinkConfig.class, factory = true)
public final class HttpSink implements FrameSink, AutoCloseable {
    /** The factory PID of HTTP sink configurations. */
    public static final String PID = "io.github.scanout.sink.http";
    /** The key of the TCP port. */
    public static final String PORT = "port";
    /** The key of the most frames per second taken from the device. */
    public static final String MAX_FPS = "max.fps";
    /** The keys and rules of a configuration, from the metatype bnd generates from {@link HttpSinkConfig}. */
    static final List<ConfigKey> KEYS = ConfigKey.fromMetatype(HttpSinkConfig.class);
    private static final System.Logger LOG = System.getLogger(HttpSink.class.getName());
    private static final String BOUNDARY = "scanout-frame";
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    /** The latest frame as an image. */
    private record Picture(long sequence, BufferedImage image) {}

    private final SinkNeeds needs;
    private final HttpServer server;
    private final ExecutorService threads;
    private final Object lock = new Object();
    private Picture latest;
    private String noSignal = "no frame yet";
    private byte[] jpeg;
    private long jpegSequence = -1;
    private boolean closed;

    /**
     * Reads the configuration with Scanout's configuration toolkit: every value is read as text
     * and checked against the metatype's rule, so {@code port = http} is refused with one line
     * naming the configuration, the key, the value and the rule (and SCR logs it) rather than
     * turned into a {@code NumberFormatException}; unknown keys and old spellings
     * ({@code maxFps}) are logged as warnings.
     *
     * @param properties the configuration, as SCR passes it
     * @throws io.github.scanout.api.support.ConfigException when a value is refused
     * @throws UncheckedIOException naming the address when the port cannot be bound
     */
    @Activate
    public HttpSink(Map<String, Object> properties) {
        this(checked(ConfigReader.forSink(ConfigReader.source(properties, PID), KEYS, properties)));
    }

    private HttpSink(ConfigReader config) {
        this(config.integer(PORT), config.number(MAX_FPS));
    }

    /** The reader after its warnings are logged and its values checked, including what one key's rule cannot say. */
    private static ConfigReader checked(ConfigReader reader) {
        for (String w : reader.warnings()) {
            LOG.log(System.Logger.Level.WARNING, w);
        }
        if (reader.given(MAX_FPS) && reader.number(MAX_FPS) == 0) {
            reader.refuse(MAX_FPS, "expected a number above 0, at most 60");
        }
        reader.check();
        return reader;
    }

    /**
     * For plain Java: a server on 127.0.0.1:{@code port} (0: any free port), taking at most {@code maxFps}.
     *
     * @throws IllegalArgumentException naming the value when it cannot be honoured
     * @throws UncheckedIOException naming the address when the port cannot be bound
     */
    public HttpSink(int port, double maxFps) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port = " + port + " is not a TCP port (1 to 65535, or 0 for any free one)");
        }
        if (!(maxFps > 0 && maxFps <= 60)) {
            throw new IllegalArgumentException("max.fps = " + maxFps + " is out of range (above 0, at most 60)");
        }
        this.needs = new SinkNeeds(true, true, Set.of(), maxFps);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(LOOPBACK), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        String prefix = "scanout-http-" + server.getAddress().getPort() + "-";
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::page);
        server.createContext("/frame.png", this::png);
        server.createContext("/stream.mjpeg", this::stream);
        server.start();
        LOG.log(System.Logger.Level.INFO, "serving frames on http://127.0.0.1:" + port() + "/");
    }

    /** The port the server listens on (the one chosen when configured with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The address the server listens on: 127.0.0.1 and {@link #port()}. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public SinkNeeds needs() {
        return needs;
    }

    @Override
    public void frame(Frame frame) {
        int width = frame.primary().info().width();
        int height = frame.primary().info().height();
        int[] argb = PixelConverter.toArgb(frame.primary().info(), frame.primary().pixels());
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, argb, 0, width);
        synchronized (lock) {
            latest = new Picture(frame.sequence(), image);
            lock.notifyAll();
        }
    }

    @Override
    public void noSignal(String reason) {
        synchronized (lock) {
            latest = null;
            noSignal = reason;
        }
    }

    @Override
    public void detached() {
        noSignal("detached from the device");
    }

    /** Stops the server; open streams end. */
    @Deactivate
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        server.stop(0);
        threads.shutdownNow();
    }

    // ---- requests, on the server's threads -------------------------------------------------------

    private void page(HttpExchange x) throws IOException {
        if (!x.getRequestURI().getPath().equals("/")) {
            send(x, 404, "text/plain", "no such page: " + x.getRequestURI().getPath());
            return;
        }
        send(x, 200, "text/html", "<!doctype html><title>Scanout</title>"
                + "<body style=\"margin:0;background:#000\"><img src=\"stream.mjpeg\" style=\"max-width:100%\"></body>");
    }

    private void png(HttpExchange x) throws IOException {
        Picture p;
        String why;
        synchronized (lock) {
            p = latest;
            why = noSignal;
        }
        if (p == null) {
            send(x, 503, "text/plain", why);
            return;
        }
        send(x, 200, "image/png", encode(p.image(), "png"));
    }

    private void stream(HttpExchange x) throws IOException {
        x.getResponseHeaders().set("Content-Type", "multipart/x-mixed-replace; boundary=" + BOUNDARY);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(200, 0);
        long sent = -1;
        try (OutputStream out = x.getResponseBody()) {
            while (true) {
                byte[] part;
                synchronized (lock) {
                    while (!closed && (latest == null || latest.sequence() == sent)) {
                        lock.wait();
                    }
                    if (closed) {
                        return;
                    }
                    sent = latest.sequence();
                    try {
                        part = jpegOf(latest);
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "cannot encode frame " + sent + " as JPEG: " + e.getMessage());
                        return;
                    }
                }
                out.write(("--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + part.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(part);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the sink is closing
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "a viewer of /stream.mjpeg went away: " + e.getMessage());
        }
    }

    /** The JPEG of a picture, encoded once however many viewers there are. Holds the lock. */
    private byte[] jpegOf(Picture p) throws IOException {
        if (jpegSequence != p.sequence()) {
            jpeg = encode(p.image(), "jpeg");
            jpegSequence = p.sequence();
        }
        return jpeg;
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IOException("ImageIO has no " + format + " writer");
        }
        return out.toByteArray();
    }

    private static void send(HttpExchange x, int status, String type, String text) throws IOException {
        send(x, status, type + "; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }
}
