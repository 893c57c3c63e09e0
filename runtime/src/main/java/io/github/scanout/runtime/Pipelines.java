package io.github.scanout.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Reads the device pipelines ({@code io.github.scanout.core.ManagedPipeline} services) from
 * outside the framework. The launcher does not link against core (its classes live in the core
 * bundle's class loader), so {@code stats()} and the record accessors of
 * {@code PipelineStats} and {@code SinkStats} are called reflectively and copied into the
 * records below.
 *
 * <p>Threads: any.
 */
final class Pipelines {
    static final String SERVICE = "io.github.scanout.core.ManagedPipeline";

    /**
     * A copy of {@code PipelineStats}, the fields the launcher reports.
     *
     * @param mode the guest's mode as last captured ({@code 1920x1080 XR24}), empty when none or from
     *     a core that does not report it
     */
    record Stats(String name, String spec, String state, String reason, String source, long captured, long delivered,
            long dropped, List<Sink> sinks, long polls, long latencyP50Micros, long latencyP99Micros, String mode) {

        Stats(String name, String spec, String state, String reason, String source, long captured, long delivered,
                long dropped, List<Sink> sinks, long polls) {
            this(name, spec, state, reason, source, captured, delivered, dropped, sinks, polls, 0, 0, "");
        }

        Stats(String name, String spec, String state, String reason, String source, long captured, long delivered,
                long dropped, List<Sink> sinks, long polls, long latencyP50Micros, long latencyP99Micros) {
            this(name, spec, state, reason, source, captured, delivered, dropped, sinks, polls, latencyP50Micros,
                    latencyP99Micros, "");
        }

        /** The named sink, if attached. */
        Optional<Sink> sink(String sinkName) {
            return sinks.stream().filter(s -> s.name().equals(sinkName)).findFirst();
        }
    }

    /**
     * A copy of {@code SinkStats}: what the sink received ({@code delivered}) and what it wrote.
     *
     * @param lastError the sink's last write error or exception, empty when none
     * @param noPicture why the sink gets no picture of the device's frames, empty while it does
     */
    record Sink(String name, long delivered, long dropped, long errors, long noSignals, long written, long bytesWritten,
            String lastError, String noPicture, long latencyP50Micros, long latencyP99Micros, List<Client> clients) {

        /** The counters of a sink that reports no clients. */
        Sink(String name, long delivered, long dropped, long errors, long noSignals, long written, long bytesWritten,
                String lastError, String noPicture, long latencyP50Micros, long latencyP99Micros) {
            this(name, delivered, dropped, errors, noSignals, written, bytesWritten, lastError, noPicture,
                    latencyP50Micros, latencyP99Micros, List.of());
        }
    }

    /**
     * A copy of api's {@code SinkClient}: one client a sink serves now (a VNC viewer).
     *
     * @param line the client as api's {@code SinkClient.toString()} writes it, the one rendering
     *     of a client for people ({@code scanout:stats} shows the same)
     * @param encodings what it was sent by encoding name, in name order
     */
    record Client(String id, String peer, Instant since, long bytes, long updates, long coalesced,
            Map<String, Long> encodings, String line) {}

    private Pipelines() {}

    /**
     * The stats of the pipeline registered for the configuration with this PID, if it is
     * registered.
     */
    static Optional<Stats> ofConfiguration(BundleContext ctx, String pid) {
        return find(ctx, "(service.pid=" + ConfigAdminClient.escape(pid) + ")").stream().findFirst();
    }

    /**
     * Whether the configuration's pipeline is registered, by its service reference alone: no
     * {@code getService}, which on a pipeline SCR is taking down (its configuration deleted)
     * returns null and makes the framework log an ERROR event.
     */
    static boolean registered(BundleContext ctx, String pid) {
        try {
            ServiceReference<?>[] refs = ctx.getAllServiceReferences(SERVICE, "(service.pid="
                    + ConfigAdminClient.escape(pid) + ")");
            return refs != null && refs.length > 0;
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return false;
        }
    }

    /** Every registered pipeline's stats. */
    static List<Stats> all(BundleContext ctx) {
        return find(ctx, null);
    }

    private static List<Stats> find(BundleContext ctx, String filter) {
        List<Stats> out = new ArrayList<>();
        ServiceReference<?>[] refs;
        try {
            refs = ctx.getAllServiceReferences(SERVICE, filter);
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return out;
        }
        if (refs == null) {
            return out;
        }
        for (ServiceReference<?> ref : refs) {
            Object service = null;
            try {
                service = ctx.getService(ref);
                if (service != null) {
                    out.add(read(invoke(service, "stats")));
                }
            } catch (RuntimeException e) {
                // the pipeline is going away while we read it
            } finally {
                if (service != null) {
                    try {
                        ctx.ungetService(ref);
                    } catch (IllegalStateException e) {
                        // framework stopping
                    }
                }
            }
        }
        return out;
    }

    static Stats read(Object s) {
        List<Sink> sinks = new ArrayList<>();
        for (Object k : (List<?>) invoke(s, "sinks")) {
            sinks.add(new Sink((String) invoke(k, "name"), (Long) invoke(k, "delivered"), (Long) invoke(k, "dropped"),
                    (Long) invoke(k, "errors"), (Long) invoke(k, "noSignals"), (Long) invoke(k, "written"),
                    (Long) invoke(k, "bytesWritten"), (String) invoke(k, "lastError"), (String) invoke(k, "noPicture"),
                    (Long) invoke(k, "latencyP50Micros"), (Long) invoke(k, "latencyP99Micros"), clients(k)));
        }
        return new Stats((String) invoke(s, "name"), (String) invoke(s, "spec"), invoke(s, "state").toString(),
                (String) invoke(s, "reason"), (String) invoke(s, "source"), (Long) invoke(s, "captured"),
                (Long) invoke(s, "delivered"), (Long) invoke(s, "dropped"), sinks, (Long) invoke(s, "polls"),
                (Long) invoke(s, "latencyP50Micros"), (Long) invoke(s, "latencyP99Micros"), mode(s));
    }

    /** The mode a pipeline's stats report; empty from a core without it. */
    private static String mode(Object stats) {
        try {
            stats.getClass().getMethod("mode");
        } catch (NoSuchMethodException e) {
            return "";
        }
        return (String) invoke(stats, "mode");
    }

    /** The clients a sink's stats list; none from a core without them. */
    private static List<Client> clients(Object sinkStats) {
        Object list;
        try {
            sinkStats.getClass().getMethod("clients");
            list = invoke(sinkStats, "clients");
        } catch (NoSuchMethodException e) {
            return List.of();
        }
        List<Client> out = new ArrayList<>();
        for (Object c : (List<?>) list) {
            Map<String, Long> encodings = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) invoke(c, "encodings")).entrySet()) {
                encodings.put((String) e.getKey(), (Long) e.getValue());
            }
            out.add(new Client((String) invoke(c, "id"), (String) invoke(c, "peer"), (Instant) invoke(c, "since"),
                    (Long) invoke(c, "bytes"), (Long) invoke(c, "updates"), (Long) invoke(c, "coalesced"), encodings,
                    c.toString()));
        }
        return out;
    }

    static Object invoke(Object target, String method) {
        try {
            Method m = target.getClass().getMethod(method);
            return m.invoke(target);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException r ? r : new IllegalStateException(method + ": " + c, c);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("core's " + target.getClass().getName() + " has no public " + method
                    + "(): " + e, e);
        }
    }
}
