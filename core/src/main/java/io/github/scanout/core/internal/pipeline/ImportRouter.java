package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.importer.BufferImporter;
import io.github.scanout.api.support.ConditionLog;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Turns a buffer the CPU cannot read into one it can, through the registered
 * {@link BufferImporter}s in order, or explains why it cannot.
 *
 * <p>Threads: sink delivery threads, concurrently.
 */
@PipelineScope
public final class ImportRouter {

    /** A CPU-readable lease the caller owns, or the reason there is none. */
    record Result(PlaneBuffer buffer, String reason) {}

    private final Supplier<List<BufferImporter>> importers;
    private final ConditionLog log;
    private final String label;

    @Inject
    ImportRouter(PipelineSetup setup, ConditionLog log) {
        this.importers = setup.importers();
        this.log = log;
        this.label = setup.label();
    }

    Result importToCpu(PlaneBuffer buffer) {
        List<BufferImporter> all = importers.get();
        List<String> declined = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (BufferImporter importer : all) {
            String name = nameOf(importer);
            try {
                if (!importer.canImport(buffer)) {
                    declined.add(name);
                    continue;
                }
                PlaneBuffer out = importer.importToCpu(buffer);
                if (out == null || !out.cpuReadable()) {
                    if (out != null) {
                        out.close();
                    }
                    failed.add(name + " returned " + (out == null ? "nothing" : "a buffer the CPU cannot read either"));
                    continue;
                }
                return new Result(out, null);
            } catch (Exception | LinkageError e) {
                String why = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
                failed.add(name + " failed: " + why);
                log.report(System.Logger.Level.WARNING, "import:" + name + ":" + why,
                        label + ": importer " + name + " failed on " + describe(buffer.info()) + ": " + why, null);
            }
        }
        StringBuilder reason = new StringBuilder(describe(buffer.info())).append(" cannot be mapped by the CPU and ");
        if (all.isEmpty()) {
            reason.append("no importer is registered; attach the GL sink's headless importer");
        } else if (failed.isEmpty()) {
            reason.append("no registered importer can import it (declined: ").append(String.join(", ", declined)).append(')');
        } else {
            reason.append("no importer could import it: ").append(String.join("; ", failed));
        }
        return new Result(null, reason.toString());
    }

    /** {@code dma-buf 3 (XR24 1024x768)}, with the modifier when tiled. */
    static String describe(PlaneInfo info) {
        String kind = info.bufferType().equals(BufferType.DMABUF) ? "dma-buf"
                : info.bufferType().equals(BufferType.REGION) ? "region" : info.bufferType().name() + " buffer";
        String layout = info.modifier().isLinear() ? "" : " " + info.modifier();
        return kind + " " + info.bufferId() + " (" + info.format() + " " + info.width() + "x" + info.height() + layout + ")";
    }

    private static String nameOf(BufferImporter importer) {
        try {
            String n = importer.name();
            return n == null || n.isBlank() ? importer.getClass().getName() : n;
        } catch (RuntimeException e) {
            return importer.getClass().getName();
        }
    }
}
