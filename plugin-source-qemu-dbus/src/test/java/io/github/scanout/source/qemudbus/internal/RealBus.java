package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.testsupport.ChildProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real message bus (Debian's dbus-daemon, installed by .ci/run) on a Unix socket of its own,
 * with the policy libvirt writes for a domain's bus (anyone may own and send anything,
 * {@code EXTERNAL} authentication), for QEMU's {@code -display dbus,addr=ADDRESS}. Ready once
 * the daemon printed its address (it listens by then); its log in {@code dbus-daemon.log}.
 */
final class RealBus implements AutoCloseable {

    final Process process;
    final Path sock;
    /** {@code unix:path=SOCK}. */
    final String address;

    private RealBus(Process process, Path sock) {
        this.process = process;
        this.sock = sock;
        this.address = "unix:path=" + sock;
    }

    /** Starts {@code dbus-daemon --config-file=DIR/bus.conf --nofork --print-address} listening on DIR/bus.sock. */
    static RealBus start(Path dir) throws IOException, InterruptedException {
        Path sock = dir.resolve("bus.sock");
        Path conf = dir.resolve("bus.conf");
        Path out = dir.resolve("dbus-daemon.address");
        Path log = dir.resolve("dbus-daemon.log");
        Files.writeString(conf, """
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>scanout-test</type>
              <listen>unix:path=%s</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """.formatted(sock));
        Process p = ChildProcesses.start(new ProcessBuilder("dbus-daemon", "--config-file=" + conf, "--nofork",
            "--print-address").redirectOutput(out.toFile()).redirectError(log.toFile()));
        RealBus bus = new RealBus(p, sock);
        long deadline = System.nanoTime() + RealQemu.WAIT.toNanos();
        while (Files.size(out) == 0) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                bus.close();
                throw new IllegalStateException("dbus-daemon printed no address: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return bus;
    }

    @Override
    public void close() {
        ChildProcesses.destroyTree(process, true);
    }
}
