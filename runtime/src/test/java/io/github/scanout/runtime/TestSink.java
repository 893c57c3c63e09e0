package io.github.scanout.runtime;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A {@code FrameSink} registered from the test, through the system bundle: a {@link Proxy} of the
 * api bundle's interface (the test does not link against the api; its classes live in the
 * framework). Records the sequence of every frame, reads one byte of each CPU-readable buffer
 * (so a released mapping would fault), and counts no-signal notices and detaches.
 *
 * <p>Threads: the pipeline calls it on the sink's delivery thread; the test reads it.
 */
final class TestSink implements InvocationHandler {
    private final Object needs;
    private final List<Long> sequences = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> noSignals = new ArrayList<>();
    private int detached;
    private String device = "";
    private ServiceRegistration<?> registration;
    /** Milliseconds each frame call takes (a slow sink, to make its queue drop). */
    volatile long sleepMillis;

    private TestSink(Object needs) {
        this.needs = needs;
    }

    /** Registers a sink for {@code device} named {@code name}, asking for {@code maxFps} (0: every frame). */
    static TestSink register(BundleContext ctx, Bundle api, String device, String name, double maxFps) throws Exception {
        Class<?> sinkType = api.loadClass("io.github.scanout.api.sink.FrameSink");
        Class<?> needsType = api.loadClass("io.github.scanout.api.sink.SinkNeeds");
        Object needs = needsType.getConstructor(boolean.class, boolean.class, Set.class, double.class)
                .newInstance(false, false, Set.of(), maxFps);
        TestSink sink = new TestSink(needs);
        Object proxy = Proxy.newProxyInstance(sinkType.getClassLoader(), new Class<?>[] {sinkType}, sink);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("device", device);
        props.put("sink.name", name);
        sink.registration = ctx.registerService(sinkType.getName(), proxy, props);
        return sink;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "needs":
                return needs;
            case "frame":
                frame(args[0]);
                return null;
            case "noSignal":
                synchronized (this) {
                    noSignals.add((String) args[0]);
                }
                return null;
            case "detached":
                synchronized (this) {
                    detached++;
                }
                return null;
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "TestSink";
            default:
                return null;
        }
    }

    private void frame(Object frame) throws Exception {
        long seq = (Long) call(frame, "sequence");
        String dev = (String) call(frame, "device");
        Object primary = call(frame, "primary");
        String problem = null;
        if (!(Boolean) call(primary, "isOpen")) {
            problem = "frame " + seq + ": lease closed";
        } else if ((Boolean) call(primary, "cpuReadable")) {
            ByteBuffer b = (ByteBuffer) call(primary, "pixels");
            if (b.remaining() > 0) {
                b.get(b.remaining() - 1);
            }
        }
        if (sleepMillis > 0) {
            Thread.sleep(sleepMillis);
        }
        synchronized (this) {
            device = dev;
            sequences.add(seq);
            if (problem != null) {
                problems.add(problem);
            }
        }
    }

    private static Object call(Object target, String method) throws Exception {
        try {
            return target.getClass().getMethod(method).invoke(target);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    synchronized List<Long> sequences() {
        return List.copyOf(sequences);
    }

    synchronized int frames() {
        return sequences.size();
    }

    synchronized long lastSequence() {
        return sequences.isEmpty() ? 0 : sequences.get(sequences.size() - 1);
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    synchronized List<String> noSignals() {
        return List.copyOf(noSignals);
    }

    synchronized int detached() {
        return detached;
    }

    synchronized String device() {
        return device;
    }

    /** Waits until at least {@code n} frames arrived. */
    void awaitFrames(int n, Duration timeout) {
        TestRuntime.await("at least " + n + " frames (have " + frames() + ")", timeout, () -> frames() >= n);
    }

    /** Unregisters the sink: the pipeline detaches it. */
    void unregister() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }
}
