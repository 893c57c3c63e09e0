package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.kernel.DamageLog;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.source.qemudbus.internal.PeerConnections.Peer;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.freedesktop.dbus.connections.IDisconnectCallback;
import org.freedesktop.dbus.exceptions.DBusException;

/**
 * One QEMU console as a device ({@code qemu-dbus:qmp:PATH?console=N} or
 * {@code qemu-dbus:bus:ADDRESS?console=N}). Each {@link #open} connects to QEMU's QMP socket and
 * opens its D-Bus display, or connects to the bus QEMU is on ({@link QemuDisplay}), registers a
 * {@link SurfaceListener} for the console and hands out a {@link QemuDbusKernel} whose device fd
 * answers the VFIO display ABI from the console's latest picture. The QMP connection is closed
 * once the listener is registered (QMP serves one client at a time); the two D-Bus connections
 * stay open until the device fd is closed. When QEMU ends the listener's connection (it exited or
 * closed it) the device is gone, with a reason. Its {@link #input()} is the console's keyboard
 * and mouse ({@link QemuInput}) on the open display connection.
 *
 * <p>Threads: {@link #open} on any thread; the opened device as {@link QemuDbusKernel} says.
 */
final class QemuDbusEndpoint implements DeviceEndpoint {
    /** How long QEMU may take to answer QMP and authenticate D-Bus (generous: QEMU under load). */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** A refusal of the same field is written once, then summarised at most every minute. */
    static final long SUMMARY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String name;
    private final QemuDbusSpec spec;
    private final Reporter reporter;
    /** The console's keyboard and mouse: connected while the device is open, dropping input otherwise. */
    private final QemuInput input;
    /** What QEMU said changed on the console: recorded by the surface of each open. */
    private final ConsoleDamage damage = new ConsoleDamage();

    QemuDbusEndpoint(String name, QemuDbusSpec spec, Reporter reporter) {
        this.name = name;
        this.spec = spec;
        this.reporter = reporter;
        this.input = new QemuInput(name, spec.console(), reporter);
    }

    /** The console's keyboard and mouse (what sinks with input allowed forward to; docs/qemu-dbus.md). */
    @Override
    public Optional<InputTarget> input() {
        return Optional.of(input);
    }

    /** What QEMU's Update messages say changed: the pipeline trusts it instead of hashing each frame. */
    @Override
    public Optional<DamageLog> damage() {
        return Optional.of(damage);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public OpenDevice open(Kernel host) throws DeviceException {
        AtomicReference<QemuDisplay> connected = new AtomicReference<>();
        ConsoleSurface.ConsoleSize size = () -> {
            QemuDisplay d = connected.get();
            if (d == null) {
                throw new IOException("not connected");
            }
            return d.consoleSize(spec.console());
        };
        return QemuDbusKernel.open(host, name, size, (surface, gone) -> connect(surface, gone, connected));
    }

    /** The display connection (QMP or the bus), then the listener's. */
    private AutoCloseable connect(ConsoleSurface surface, CompletableFuture<String> gone,
            AtomicReference<QemuDisplay> connected) throws IOException, DBusException {
        surface.reportDamageTo(damage);
        SurfaceListener listener = new SurfaceListener(name, surface,
            ConditionLog.summarizing(reporter, System::nanoTime, SUMMARY_NANOS));
        String console = "console " + spec.console() + " of " + name;
        IDisconnectCallback onEnd = new IDisconnectCallback() {
            @Override
            public void clientDisconnect() { // dbus-java read end of file: QEMU closed its end
                input.disconnected();
                gone.complete("QEMU ended the D-Bus display connection of " + console + " (QEMU exited or dropped the"
                    + " listener)");
            }

            @Override
            public void disconnectOnError(IOException e) {
                input.disconnected();
                gone.complete("QEMU ended the D-Bus display connection of " + console + " (QEMU exited or dropped the"
                    + " listener): " + QmpMessage.oneLine(String.valueOf(e.getMessage())));
            }

            @Override
            public void exceptionOnTerminate(IOException e) {
                input.disconnected();
                gone.complete("the D-Bus display connection of " + console + " failed: "
                    + QmpMessage.oneLine(String.valueOf(e.getMessage())));
            }
        };
        QemuDisplay display = openDisplay();
        connected.set(display); // for the console's size (ConsoleSurface.switched)
        Peer listening;
        try {
            listening = display.registerListener(spec.console(), listener, onEnd);
        } catch (IOException | DBusException | RuntimeException e) {
            try {
                display.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        try {
            input.connected(display);
        } catch (DBusException | RuntimeException e) {
            reporter.warn(name + ": the keyboard and mouse of console " + spec.console()
                + " cannot be reached; input is off until the device is opened again: "
                + QmpMessage.oneLine(String.valueOf(e.getMessage())));
        }
        return () -> {
            input.disconnected();
            try {
                listening.close();
            } finally {
                display.close();
            }
        };
    }

    /**
     * The display connection: through QMP ({@code getfd} + {@code add_client}; QMP is closed again
     * right after, as QEMU serves one QMP client at a time) or on the bus the spec names.
     */
    private QemuDisplay openDisplay() throws IOException, DBusException {
        if (spec.bus() != null) {
            return QemuDisplay.onBus(spec.bus(), TIMEOUT);
        }
        try (QmpClient qmp = QmpClient.connect(spec.qmp(), TIMEOUT)) {
            return QemuDisplay.open(qmp, TIMEOUT);
        }
    }
}
