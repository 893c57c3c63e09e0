package io.github.scanout.runtime;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A launcher-internal {@code FrameSink} attached to the {@code --device} while it starts: it asks
 * for the device's full rate ({@code maxFps} 0) and tells the launcher when the first frame has
 * been published, then goes away.
 *
 * <p>Why: the pipeline polls at the rate its sinks ask for, 1 Hz for a PNG file sink, and a
 * device's first answers are often "nothing yet" (mbochs answers the first query of every mode
 * with ENOMEM; a guest sets its mode late). Without the probe the first frame would wait a whole
 * sink period after that; with it the pipeline polls at the device's rate until there is a frame,
 * and every sink gets that frame at once.
 *
 * <p>It is a {@link Proxy} of the api bundle's {@code FrameSink} interface (the launcher does not
 * link against the api), registered through the system bundle with {@code device} and
 * {@code sink.name} properties like any sink.
 *
 * <p>Threads: the pipeline calls it on its own delivery thread; the rest from the main thread.
 */
final class StartupProbe implements InvocationHandler, AutoCloseable {
    static final String NAME = "scanout-startup";

    private final Object needs;
    private final CountDownLatch first = new CountDownLatch(1);
    private ServiceRegistration<?> registration;

    private StartupProbe(Object needs) {
        this.needs = needs;
    }

    /**
     * Registers a probe for the device of this name, or returns null when the api bundle is not
     * there (the launcher then just waits for the sinks).
     */
    static StartupProbe register(BundleContext ctx, String device) {
        Bundle api = null;
        for (Bundle b : ctx.getBundles()) {
            if ("io.github.scanout.api".equals(b.getSymbolicName())) {
                api = b;
            }
        }
        if (api == null) {
            return null;
        }
        try {
            Class<?> sinkType = api.loadClass("io.github.scanout.api.sink.FrameSink");
            Class<?> needsType = api.loadClass("io.github.scanout.api.sink.SinkNeeds");
            Object needs = needsType.getConstructor(boolean.class, boolean.class, Set.class, double.class)
                    .newInstance(false, false, Set.of(), 0.0);
            StartupProbe probe = new StartupProbe(needs);
            Object proxy = Proxy.newProxyInstance(sinkType.getClassLoader(), new Class<?>[] {sinkType}, probe);
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("device", device);
            props.put("sink.name", NAME);
            probe.registration = ctx.registerService(sinkType.getName(), proxy, props);
            return probe;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "needs":
                return needs;
            case "frame":
                first.countDown();
                return null;
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return NAME;
            default:
                return null; // cursor, noSignal, detached
        }
    }

    /** Whether the first frame has arrived; waits at most {@code millis}. */
    boolean awaitFrame(long millis) throws InterruptedException {
        return first.await(millis, TimeUnit.MILLISECONDS);
    }

    boolean hasFrame() {
        return first.getCount() == 0;
    }

    /** Unregisters the probe (the pipeline detaches it). Idempotent. */
    @Override
    public synchronized void close() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the framework
            }
            registration = null;
        }
    }
}
