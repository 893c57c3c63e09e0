package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.testsupport.ChildProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A real QEMU (Debian's qemu-system-x86, installed by .ci/run) with the D-Bus display in
 * peer-to-peer mode and a QMP server socket, for this module's tests: started with the machine
 * arguments a test names, ready once its QMP socket accepts a connection, its log in
 * {@code qemu.log}.
 */
final class RealQemu implements AutoCloseable {
    /** How long QEMU and its answers may take, generously (TCG on a loaded 2-core machine). */
    static final Duration WAIT = Duration.ofSeconds(120);

    final Process process;
    final Path sock;

    private RealQemu(Process process, Path sock) {
        this.process = process;
        this.sock = sock;
    }

    /** Starts {@code qemu-system-x86_64 MACHINE... -display dbus,p2p=yes -qmp unix:DIR/qmp.sock -nodefaults}. */
    static RealQemu start(Path dir, String... machine) throws IOException, InterruptedException {
        Path sock = dir.resolve("qmp.sock");
        Path log = dir.resolve("qemu.log");
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64"));
        cmd.addAll(List.of(machine));
        cmd.addAll(List.of("-display", "dbus,p2p=yes", "-qmp", "unix:" + sock + ",server=on,wait=off", "-nodefaults"));
        Process qemu = ChildProcesses.start(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()));
        RealQemu q = new RealQemu(qemu, sock);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(sock)) {
            if (!qemu.isAlive()) {
                q.close();
                throw new IllegalStateException("QEMU exited with " + qemu.exitValue() + ": " + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                q.close();
                throw new IllegalStateException("QEMU made no QMP socket within " + WAIT + ": " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        // QEMU makes the socket file (bind) a moment before it listens: until then a connect is
        // refused. Wait until one is accepted (closed at once; QMP takes the next client).
        while (true) {
            try (AFUNIXSocket probe = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(sock))) {
                break;
            } catch (java.net.SocketException refused) {
                if (!qemu.isAlive() || System.nanoTime() > deadline) {
                    q.close();
                    throw new IllegalStateException("QEMU's QMP socket refused connections for " + WAIT + ": "
                        + Files.readString(log), refused);
                }
                Thread.sleep(20);
            }
        }
        return q;
    }

    @Override
    public void close() {
        ChildProcesses.destroyTree(process, true);
    }
}
