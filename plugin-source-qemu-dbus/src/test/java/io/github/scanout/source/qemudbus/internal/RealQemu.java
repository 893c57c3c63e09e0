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
        return start(dir, "dbus,p2p=yes", machine);
    }

    /**
     * Starts QEMU with its display on the bus at {@code address} ({@code -display
     * dbus,addr=ADDRESS}) and a QMP socket; ready once QEMU owns {@code org.qemu} on the bus.
     */
    static RealQemu startOnBus(Path dir, String address, String... machine) throws IOException, InterruptedException {
        RealQemu q = start(dir, "dbus,addr=" + address, machine);
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (org.freedesktop.dbus.connections.impl.DBusConnection bus =
                org.freedesktop.dbus.connections.impl.DBusConnectionBuilder.forAddress(address).withShared(false).build()) {
            org.freedesktop.dbus.interfaces.DBus daemon = bus.getRemoteObject("org.freedesktop.DBus",
                "/org/freedesktop/DBus", org.freedesktop.dbus.interfaces.DBus.class);
            while (!daemon.NameHasOwner(QemuDisplay.BUS_NAME)) {
                if (!q.process.isAlive() || System.nanoTime() > deadline) {
                    q.close();
                    throw new IllegalStateException("QEMU did not own org.qemu on " + address + " within " + WAIT + ": "
                        + Files.readString(dir.resolve("qemu.log")));
                }
                Thread.sleep(20);
            }
        } catch (org.freedesktop.dbus.exceptions.DBusException e) {
            q.close();
            throw new IOException("the test's bus at " + address + ": " + e.getMessage(), e);
        }
        return q;
    }

    /**
     * Where {@code .ci/newer-qemu} unpacks a newer QEMU (Debian bookworm-backports' 10.0, which
     * shares the console's memory: {@code ScanoutMap}) without installing it over Debian 12's 7.2.
     */
    static final Path NEWER = Path.of(System.getProperty("user.home"), ".cache", "scanout", "qemu-backports", "root");

    /** Starts the newer QEMU ({@link #NEWER}) like {@link #start(Path, String...)}. */
    static RealQemu startNewer(Path dir, String... machine) throws IOException, InterruptedException {
        Path binary = NEWER.resolve("usr/bin/qemu-system-x86_64");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " is missing: run .ci/newer-qemu (it unpacks QEMU 10 from Debian"
                + " bookworm-backports there; .ci/run does it)");
        }
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-L", NEWER.resolve("usr/share/qemu").toString(),
            "-L", "/usr/share/qemu", "-L", "/usr/share/seabios"));
        cmd.addAll(List.of(machine));
        return start(dir, "dbus,p2p=yes", cmd, NEWER.resolve("usr/lib/x86_64-linux-gnu/qemu"));
    }

    private static RealQemu start(Path dir, String display, String... machine) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64"));
        cmd.addAll(List.of(machine));
        return start(dir, display, cmd, null);
    }

    private static RealQemu start(Path dir, String display, List<String> command, Path modules)
            throws IOException, InterruptedException {
        Path sock = dir.resolve("qmp.sock");
        Path log = dir.resolve("qemu.log");
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(List.of("-display", display, "-qmp", "unix:" + sock + ",server=on,wait=off", "-nodefaults"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (modules != null) {
            pb.environment().put("QEMU_MODULE_DIR", modules.toString()); // its ui-dbus.so, not 7.2's
        }
        Process qemu = ChildProcesses.start(pb);
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
