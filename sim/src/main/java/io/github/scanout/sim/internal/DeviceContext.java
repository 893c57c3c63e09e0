package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.sim.SimViolationError;
import io.github.scanout.sim.ViolationPolicy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * State of one simulated device that is not driver state: the scripted faults (vanish,
 * failNext), counters tests read, recorded violations, the animation switch and clock.
 *
 * <p>Threads: every method may be called from any thread.
 */
public final class DeviceContext {
    private static final System.Logger LOG = System.getLogger("io.github.scanout.sim");

    private final String name;
    private volatile boolean vanished;
    /** Counts reappearances: files opened before one stay dead, as fds of a removed mdev do. */
    private volatile int generation;
    private int failRemaining;
    private Errno failErrno = Errno.EIO;
    private final AtomicInteger liveFds = new AtomicInteger();
    private final AtomicInteger ioctls = new AtomicInteger();
    private final Map<Long, Integer> dmabufGets = new TreeMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private volatile ViolationPolicy policy = ViolationPolicy.THROW;
    private volatile boolean animate;
    private volatile LongSupplier clock = System::nanoTime;
    /** The flap schedule: 0 for none. */
    private volatile long flapPeriod;
    private long flapUp;
    private long flapStart;
    /** Whether the flap schedule (not a caller's vanish()) made the device vanish. */
    private boolean flapVanished;

    public DeviceContext(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** ENODEV once the device has vanished. */
    public void checkPresent(String call) throws DeviceException {
        flapTick();
        if (vanished) {
            throw Errors.errno(name, call + " (the device has vanished)", Errno.ENODEV);
        }
    }

    /** ENODEV once the device has vanished, or when the file was opened before it reappeared. */
    public void checkPresent(String call, int openedIn) throws DeviceException {
        flapTick();
        if (vanished || openedIn != generation) {
            throw Errors.errno(name, call + " (the device has vanished)", Errno.ENODEV);
        }
    }

    public synchronized void vanish() {
        vanished = true;
        flapVanished = false;
    }

    /** The device is back (an mdev created again): new opens work, the fds opened before do not. */
    public synchronized void reappear() {
        flapVanished = false;
        if (vanished) {
            generation++;
            vanished = false;
        }
    }

    public int generation() {
        return generation;
    }

    public boolean vanished() {
        flapTick();
        return vanished;
    }

    /**
     * From now on the device is present for {@code upNanos}, then vanished for {@code downNanos},
     * and so on (the spec option {@code flap=UP/DOWN}): as an mdev removed and created again by
     * a script. The schedule is applied when the device is next used, so no thread is needed.
     */
    public synchronized void flap(long upNanos, long downNanos) {
        if (upNanos <= 0 || downNanos <= 0) {
            throw new IllegalArgumentException("flap times must be > 0, got " + upNanos + "/" + downNanos);
        }
        flapUp = upNanos;
        flapPeriod = upNanos + downNanos;
        flapStart = clock.getAsLong();
    }

    /** Vanishes or reappears as the flap schedule says (nothing without one). */
    private void flapTick() {
        if (flapPeriod == 0) {
            return;
        }
        synchronized (this) {
            boolean down = Math.floorMod(clock.getAsLong() - flapStart, flapPeriod) >= flapUp;
            if (down && !vanished) {
                vanish();
                flapVanished = true;
            } else if (!down && vanished && flapVanished) {
                flapVanished = false;
                reappear();
            }
        }
    }

    /** Arms {@code n} injected failures of device ioctls. */
    public synchronized void failNext(int n, Errno errno) {
        if (n < 0) {
            throw new IllegalArgumentException("failNext count must be >= 0, got " + n);
        }
        failRemaining = n;
        failErrno = java.util.Objects.requireNonNull(errno, "errno");
    }

    /** Throws the injected errno if a failure is armed, consuming it. */
    public void checkInjectedFailure(String call) throws DeviceException {
        Errno e;
        synchronized (this) {
            if (failRemaining == 0) {
                return;
            }
            failRemaining--;
            e = failErrno;
        }
        throw Errors.errno(name, call + " (failure injected by failNext)", e);
    }

    public synchronized int failuresArmed() {
        return failRemaining;
    }

    public void countIoctl() {
        ioctls.incrementAndGet();
    }

    public int ioctls() {
        return ioctls.get();
    }

    public void fdOpened() {
        liveFds.incrementAndGet();
    }

    public void fdClosed() {
        liveFds.decrementAndGet();
    }

    public int liveFds() {
        return liveFds.get();
    }

    public synchronized void countDmabufGet(long id) {
        dmabufGets.merge(id, 1, Integer::sum);
    }

    public synchronized int dmabufGets(long id) {
        return dmabufGets.getOrDefault(id, 0);
    }

    public synchronized Map<Long, Integer> dmabufGets() {
        return Map.copyOf(dmabufGets);
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    public void clearViolations() {
        violations.clear();
    }

    public void policy(ViolationPolicy p) {
        policy = java.util.Objects.requireNonNull(p, "policy");
    }

    /**
     * Records that Scanout broke a rule of the real driver, logs it, and fails the call the way
     * the {@link ViolationPolicy} says.
     */
    public DeviceException violation(String call, String message) {
        String text = name + ": " + call + ": " + message;
        violations.add(text);
        LOG.log(System.Logger.Level.ERROR, "SIMULATED DRIVER VIOLATION: " + text);
        if (policy == ViolationPolicy.THROW) {
            throw new SimViolationError(text);
        }
        return Errors.errno(name, call + " (violation recorded: " + message + ")", Errno.EEXIST);
    }

    public boolean animate() {
        return animate;
    }

    public void animate(boolean on) {
        animate = on;
    }

    public long nanoTime() {
        return clock.getAsLong();
    }

    public void clock(LongSupplier c) {
        clock = java.util.Objects.requireNonNull(c, "clock");
    }
}
