package io.github.scanout.core.internal.osgi;

import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.core.ManagedPipeline;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Tells the operator about sinks that will never get a frame: a sink whose {@code device}
 * property names no configured device (a typo, or a device configuration that failed), or a sink
 * without a {@code device} property. One line per sink and device name, logged when the situation
 * has lasted {@value #GRACE_MILLIS} ms (configurations arrive in any order at start-up).
 *
 * <p>Threads: SCR calls the bind methods on its threads; the check runs on this component's own
 * thread ({@code scanout-sink-check}), which exists while the component is active.
 */
@Component(service = {}, immediate = true)
public final class SinkDeviceCheck {

    static final long GRACE_MILLIS = 2000;

    private static final Reporter LOG = Reporter.system(SinkDeviceCheck.class.getName());

    private final Object lock = new Object();
    private final Map<FrameSink, Map<String, Object>> sinks = new IdentityHashMap<>();
    private final List<ManagedPipeline> pipelines = new ArrayList<>();
    private final Set<String> reported = new HashSet<>();
    private final Consumer<String> warn;
    private final long graceMillis;
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> pending;

    /** For SCR. */
    public SinkDeviceCheck() {
        this(LOG::warn, GRACE_MILLIS);
    }

    SinkDeviceCheck(Consumer<String> warn, long graceMillis) {
        this.warn = warn;
        this.graceMillis = graceMillis;
    }

    @Activate
    void activate() {
        synchronized (lock) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "scanout-sink-check");
                t.setDaemon(true);
                return t;
            });
            schedule();
        }
    }

    @Deactivate
    void deactivate() {
        ScheduledExecutorService t;
        synchronized (lock) {
            t = timer;
            timer = null;
            pending = null;
        }
        if (t != null) {
            t.shutdownNow();
            try {
                t.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Reference(name = "sinks", service = FrameSink.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, updated = "updatedSink",
            unbind = "removeSink")
    void addSink(FrameSink sink, Map<String, Object> properties) {
        synchronized (lock) {
            sinks.put(sink, Map.copyOf(properties));
            schedule();
        }
    }

    void updatedSink(FrameSink sink, Map<String, Object> properties) {
        addSink(sink, properties);
    }

    void removeSink(FrameSink sink) {
        synchronized (lock) {
            sinks.remove(sink);
        }
    }

    @Reference(name = "pipelines", service = ManagedPipeline.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "removePipeline")
    void addPipeline(ManagedPipeline pipeline) {
        synchronized (lock) {
            pipelines.add(pipeline);
        }
    }

    void removePipeline(ManagedPipeline pipeline) {
        synchronized (lock) {
            pipelines.remove(pipeline);
            schedule();
        }
    }

    /** Caller holds the lock. */
    private void schedule() {
        if (timer == null) {
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        pending = timer.schedule(this::check, graceMillis, TimeUnit.MILLISECONDS);
    }

    /** Logs every sink that matches no device, once per sink and device name. */
    void check() {
        List<Map<String, Object>> sinkProps;
        List<ManagedPipeline> ps;
        synchronized (lock) {
            sinkProps = new ArrayList<>(sinks.values());
            ps = new ArrayList<>(pipelines);
        }
        Set<String> names = new TreeSet<>();
        for (ManagedPipeline p : ps) {
            try {
                names.add(p.name());
            } catch (RuntimeException e) {
                // a pipeline going away while we look
            }
        }
        List<String> lines = new ArrayList<>();
        synchronized (lock) {
            for (Map<String, Object> props : sinkProps) {
                Object device = props.get(DeviceComponent.DEVICE_PROPERTY);
                String sink = describe(props);
                if (!(device instanceof String d) || d.isBlank()) {
                    if (reported.add(sink + "\u0000")) {
                        lines.add("sink " + sink + " has no 'device' property, so it is attached to no device;"
                                + " set device to one of " + names);
                    }
                } else if (!names.contains(d.trim()) && reported.add(sink + "\u0000" + d)) {
                    lines.add("sink " + sink + " names device '" + d + "', but no device configuration ("
                            + DeviceComponent.PID + ") has that name (configured: " + names + "); it receives nothing");
                }
            }
        }
        lines.forEach(warn);
    }

    private static String describe(Map<String, Object> props) {
        Object pid = props.get("service.pid");
        String name = DeviceComponent.sinkName(props);
        return pid instanceof String s && !s.equals(name) ? "'" + name + "' (configuration " + s + ")" : name;
    }
}
