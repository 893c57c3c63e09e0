package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.api.source.PlaneSource;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the plane source: the registered sources in order of priority (highest first; equal
 * priorities by buffer type name, then registration order), only those of the forced type when
 * {@code buffer.type} is set; the first whose probe succeeds and whose session opens wins. When
 * none does, the exception names what each one answered.
 *
 * <p>Threads: the capture thread (the pipeline's control thread for {@link PlaneSource#probe}
 * and {@link PlaneSource#open}).
 */
@PipelineScope
final class SourceSelector {

    /** The source in use and its open session. */
    record Choice(PlaneSource source, PlaneSession session, String type, int priority) {}

    private record Ranked(PlaneSource source, String type, int priority, int order) {}

    private final PipelineSetup setup;
    private final StallWatch stall;

    @Inject
    SourceSelector(PipelineSetup setup, StallWatch stall) {
        this.setup = setup;
        this.stall = stall;
    }

    /**
     * Probes and opens the best source.
     *
     * @throws DeviceException only when the device is gone
     * @throws NoSourceException naming every probe's answer
     */
    Choice select(GfxDevice device) throws DeviceException, NoSourceException {
        List<Ranked> all = ranked();
        Optional<String> forced = setup.options().bufferType();
        if (all.isEmpty()) {
            throw new NoSourceException("no plane source is registered, so " + setup.spec()
                    + " cannot be read; install plugin-dmabuf or plugin-region (or a vendor's)");
        }
        List<Ranked> candidates = forced.map(f -> all.stream().filter(r -> r.type().equals(f)).toList()).orElse(all);
        if (candidates.isEmpty()) {
            throw new NoSourceException("buffer.type = " + forced.get() + " is forced but no registered plane source reads "
                    + forced.get() + " (registered: " + describe(all) + ")");
        }
        List<String> answers = new ArrayList<>();
        for (Ranked r : candidates) {
            Choice c = tryOne(device, r, answers);
            if (c != null) {
                return c;
            }
        }
        throw new NoSourceException("no plane source can read " + setup.spec()
                + forced.map(f -> " with buffer.type = " + f).orElse("") + ": " + String.join("; ", answers),
                answers.stream().anyMatch(a -> a.endsWith(TRANSIENT)));
    }

    /**
     * A source ranked above the current one that now works (a better one was registered), opened;
     * or null. Never returns the current source.
     */
    Choice better(GfxDevice device, Choice current) throws DeviceException {
        Optional<String> forced = setup.options().bufferType();
        List<String> ignored = new ArrayList<>();
        for (Ranked r : ranked()) {
            if (r.source() == current.source()) {
                return null;
            }
            if (forced.isPresent() && !forced.get().equals(r.type())) {
                continue;
            }
            if (r.priority() < current.priority()) {
                return null;
            }
            Choice c = tryOne(device, r, ignored);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** Whether the source is still registered (and still allowed by the forced type). */
    boolean stillRegistered(PlaneSource source) {
        for (PlaneSource s : setup.sources().get()) {
            if (s == source) {
                return true;
            }
        }
        return false;
    }

    /** Ends an answer whose failure was transient. */
    private static final String TRANSIENT = " (transient)";

    private static String failed(DeviceException e) {
        return e.getMessage() + (e.isTransient() ? TRANSIENT : "");
    }

    private Choice tryOne(GfxDevice device, Ranked r, List<String> answers) throws DeviceException {
        String label = r.type() + " (priority " + r.priority() + ")";
        boolean ok;
        stall.enter("probing " + r.type());
        try {
            ok = r.source().probe(device);
        } catch (DeviceException e) {
            if (e.isGone()) {
                throw e;
            }
            answers.add(label + ": probe failed: " + failed(e));
            return null;
        } catch (RuntimeException | LinkageError e) {
            answers.add(label + ": probe threw " + e);
            return null;
        } finally {
            stall.exit();
        }
        if (!ok) {
            answers.add(label + ": probe answered no (the device does not offer " + r.type() + " planes)");
            return null;
        }
        stall.enter("opening a " + r.type() + " session");
        try {
            PlaneSession session = r.source().open(device);
            if (session == null) {
                answers.add(label + ": probe succeeded but open returned no session");
                return null;
            }
            return new Choice(r.source(), session, r.type(), r.priority());
        } catch (DeviceException e) {
            if (e.isGone()) {
                throw e;
            }
            answers.add(label + ": probe succeeded but open failed: " + failed(e));
            return null;
        } catch (RuntimeException | LinkageError e) {
            answers.add(label + ": probe succeeded but open threw " + e);
            return null;
        } finally {
            stall.exit();
        }
    }

    private List<Ranked> ranked() {
        List<PlaneSource> sources = setup.sources().get();
        List<Ranked> out = new ArrayList<>();
        int order = 0;
        for (PlaneSource s : sources) {
            String type;
            int priority;
            try {
                type = s.bufferType().name();
                priority = s.priority();
            } catch (RuntimeException | LinkageError e) {
                continue;
            }
            out.add(new Ranked(s, type, priority, order++));
        }
        out.sort(Comparator.comparingInt(Ranked::priority).reversed().thenComparing(Ranked::type)
                .thenComparingInt(Ranked::order));
        return out;
    }

    private static String describe(List<Ranked> all) {
        List<String> names = new ArrayList<>();
        for (Ranked r : all) {
            names.add(r.type() + " (priority " + r.priority() + ")");
        }
        return String.join(", ", names);
    }
}
