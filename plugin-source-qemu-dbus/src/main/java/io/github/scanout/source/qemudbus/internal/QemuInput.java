package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.api.support.Reporter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.UInt32;

/**
 * Viewers' input for one QEMU console: the {@link InputTarget} of a {@code qemu-dbus} device.
 * Keys become {@code org.qemu.Display1.Keyboard} {@code Press}/{@code Release} of the QEMU key
 * number of the key that types the keysym on a US keyboard ({@link QemuKeys}; a keysym without
 * one is dropped with one debug line per keysym); the pointer becomes
 * {@code org.qemu.Display1.Mouse} {@code SetAbsPosition} while the guest's pointing device is
 * absolute (a USB tablet) and {@code RelMotion} by the distance from the last position while it is
 * relative (a PS/2 mouse: the guest's acceleration makes that approximate), then a
 * {@code Press}/{@code Release} for each button whose state changed.
 *
 * <p>It outlives the D-Bus connection, as the device endpoint outlives its opens: the device
 * calls {@link #connected} with the display connection and {@link #disconnected} when it goes;
 * in between, events are dropped and counted.
 *
 * <p>Threads: {@link #key} and {@link #pointer} from any thread; they queue the D-Bus calls for
 * one thread of this target ({@code scanout-input-<name>}), which makes them in the order they
 * were queued and waits for QEMU's answers, so a viewer never waits on QEMU. At most
 * {@value #QUEUE} events wait; more are dropped and counted. QEMU's refusals are logged once per
 * distinct message ({@link ConditionLog}).
 */
final class QemuInput implements InputTarget, AutoCloseable {
    /** Events waiting for the D-Bus thread at most. */
    static final int QUEUE = 1024;
    /** How often a relative mouse is asked again whether it became absolute (the guest's driver changed). */
    static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final String name;
    private final int console;
    private final ConditionLog once;
    private final ThreadPoolExecutor calls;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile Console remote;

    /** The proxies of one connection's console. */
    private record Console(Display1Keyboard keyboard, Display1Mouse mouse, Properties properties) {}

    // state of the D-Bus thread
    private boolean absolute = true;
    private long recheckAt;
    private int lastX = -1;
    private int lastY = -1;
    private int buttons;

    /**
     * @param name the device's name, for the thread and log lines
     * @param console the console whose keyboard and mouse get the input
     * @param log where QEMU's refusals and dropped keysyms are said
     */
    QemuInput(String name, int console, Reporter log) {
        this.name = name;
        this.console = console;
        this.once = ConditionLog.once(log);
        this.calls = new ThreadPoolExecutor(1, 1, 0, TimeUnit.NANOSECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "scanout-input-" + name);
            t.setDaemon(true);
            return t;
        }, (r, executor) -> dropped.incrementAndGet());
    }

    /**
     * Input goes to console {@code console} on this display connection from now on (the
     * connection QMP's {@code add_client} opened, or the bus QEMU is on; QEMU's objects are on it).
     *
     * @throws DBusException when dbus-java cannot make the proxies
     */
    void connected(QemuObjects display) throws DBusException {
        String path = "/org/qemu/Display1/Console_" + console;
        Console c = new Console(display.get(path, Display1Keyboard.class),
                display.get(path, Display1Mouse.class), display.get(path, Properties.class));
        calls.execute(() -> {
            absolute = true;
            recheckAt = 0;
            lastX = -1;
            lastY = -1;
            buttons = 0;
        });
        remote = c;
    }

    /** The connection is gone: events are dropped until the next {@link #connected}. */
    void disconnected() {
        remote = null;
    }

    @Override
    public void key(int keysym, boolean down) {
        int code = QemuKeys.number(keysym);
        if (code == QemuKeys.NONE) {
            dropped.incrementAndGet();
            once.report(System.Logger.Level.DEBUG, "keysym " + keysym, "input for " + name + ": keysym 0x"
                    + Integer.toHexString(keysym) + " has no key on a US PC keyboard; dropped");
            return;
        }
        submit(c -> {
            UInt32 k = new UInt32(code);
            if (down) {
                c.keyboard().Press(k);
            } else {
                c.keyboard().Release(k);
            }
        });
    }

    @Override
    public void pointer(int x, int y, int mask) {
        if (x < 0 || y < 0) {
            dropped.incrementAndGet(); // outside any frame: the caller's contract says it does not happen
            return;
        }
        int wanted = mask & BUTTONS;
        submit(c -> {
            move(c, x, y);
            int changed = buttons ^ wanted;
            for (int b = 0; b < 5; b++) { // RFB's bit b is QEMU's InputButton b
                if ((changed & (1 << b)) != 0) {
                    if ((wanted & (1 << b)) != 0) {
                        c.mouse().Press(new UInt32(b));
                    } else {
                        c.mouse().Release(new UInt32(b));
                    }
                }
            }
            buttons = wanted;
        });
    }

    /** On the D-Bus thread: the pointer to (x, y), absolutely when QEMU's mouse is, else by motion. */
    private void move(Console c, int x, int y) {
        if (!absolute && System.nanoTime() - recheckAt >= 0) {
            recheckAt = System.nanoTime() + RECHECK_NANOS;
            Object abs = c.properties().Get(Display1Mouse.NAME, "IsAbsolute");
            absolute = Boolean.TRUE.equals(abs);
        }
        if (absolute) {
            try {
                c.mouse().SetAbsPosition(new UInt32(x), new UInt32(y));
                lastX = x;
                lastY = y;
                return;
            } catch (DBusExecutionException e) {
                // QEMU 7.2 answers "Mouse is not absolute" while the guest's current pointer is relative
                absolute = false;
                recheckAt = System.nanoTime() + RECHECK_NANOS;
                once.report(System.Logger.Level.INFO, "relative", "input for " + name + ": QEMU's mouse on console "
                        + console + " is relative (" + QmpMessage.oneLine(String.valueOf(e.getMessage()))
                        + "); the pointer moves by distance, which the guest may accelerate");
            }
        }
        if (lastX >= 0 && (x != lastX || y != lastY)) {
            c.mouse().RelMotion(x - lastX, y - lastY);
        }
        lastX = x;
        lastY = y;
    }

    private interface Call {
        void run(Console c);
    }

    private void submit(Call call) {
        if (remote == null) {
            dropped.incrementAndGet();
            return;
        }
        calls.execute(() -> {
            Console c = remote;
            if (c == null) {
                dropped.incrementAndGet();
                return;
            }
            try {
                call.run(c);
                forwarded.incrementAndGet();
            } catch (DBusExecutionException e) {
                dropped.incrementAndGet();
                String why = QmpMessage.oneLine(String.valueOf(e.getMessage()));
                once.report(System.Logger.Level.WARNING, "refused " + why, "input for " + name + ": QEMU refused an"
                        + " input event for console " + console + ": " + why);
            } catch (RuntimeException e) {
                dropped.incrementAndGet();
                once.report(System.Logger.Level.WARNING, "failed " + e.getClass().getName(), "input for " + name
                        + ": an input event for console " + console + " failed: " + e);
            }
        });
    }

    /** Events QEMU accepted. */
    long forwarded() {
        return forwarded.get();
    }

    /** Events dropped: no connection, no key for the keysym, a full queue, QEMU refused them. */
    long dropped() {
        return dropped.get();
    }

    /** Waits up to {@code millis} until every queued event was sent (tests); true when done. */
    boolean drain(long millis) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        calls.execute(done::countDown);
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Stops the D-Bus thread; events queued are dropped. */
    @Override
    public void close() {
        remote = null;
        dropped.addAndGet(calls.shutdownNow().size());
    }
}
