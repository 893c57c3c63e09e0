package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.testsupport.ChildProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.connections.impl.DirectConnection;
import org.freedesktop.dbus.connections.impl.DirectConnectionBuilder;

/**
 * A fake QEMU for the listener's tests: one of this package's Python scripts on GLib's GDBus
 * (QEMU's own D-Bus library, from Debian's {@code python3-gi}), serving a peer connection at a
 * socket as QEMU does (server and authenticator), saying what it did in lines on stdout
 * ("listening" first, "done" after its last call) and ending when its stdin closes.
 */
final class GdbusFakeQemu implements AutoCloseable {
    static final long WAIT_SECONDS = 120;

    private final Process process;
    private final Path socket;
    private final BlockingQueue<String> said = new LinkedBlockingQueue<>();
    private final Thread reader;

    private GdbusFakeQemu(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    said.add(l);
                }
            } catch (IOException e) {
                said.add("read failed: " + e);
            }
            said.add("exited");
        });
        reader.start();
    }

    /** Starts the script {@code name} (a resource of this package) in {@code dir}; returns once it listens. */
    static GdbusFakeQemu start(Path dir, String name) throws IOException, InterruptedException {
        Path script = dir.resolve(name);
        try (InputStream in = GdbusFakeQemu.class.getResourceAsStream(name)) {
            Files.copy(in, script);
        }
        Path sock = dir.resolve("display.sock");
        GdbusFakeQemu q = new GdbusFakeQemu(ChildProcesses.start(new ProcessBuilder("/usr/bin/python3",
            script.toString(), sock.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)), sock);
        assertThat(q.said.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("listening");
        return q;
    }

    /**
     * Connects {@code listener} as Scanout does (the client, exporting it with one method-call
     * thread, as {@link PeerConnections} sets it up), lets the fake QEMU talk until it says "done",
     * runs {@code whileConnected} and closes the connection.
     *
     * @return the fake QEMU's lines before "done"
     */
    List<String> talkTo(SurfaceListener listener, Runnable whileConnected) throws Exception {
        List<String> lines = new ArrayList<>();
        try (DirectConnection scanout = DirectConnectionBuilder.forAddress("unix:path=" + socket)
                .transportConfig().withAutoConnect(false).back()
                .receivingThreadConfig().withMethodCallThreadCount(1).connectionConfig().build()) {
            scanout.exportObject(Display1Listener.PATH, listener);
            scanout.connect();
            for (String l; !"done".equals(l = said.poll(WAIT_SECONDS, TimeUnit.SECONDS)); ) {
                assertThat(l).as("fake QEMU's lines so far: %s", lines).isNotNull().isNotEqualTo("exited");
                lines.add(l);
            }
            whileConnected.run();
        }
        return lines;
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close(); // the fake QEMU ends when its stdin closes
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            ChildProcesses.destroyTree(process, true);
        }
        reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    }
}
