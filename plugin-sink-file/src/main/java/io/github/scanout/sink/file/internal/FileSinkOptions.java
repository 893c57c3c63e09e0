package io.github.scanout.sink.file.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The file sink's settings, validated: a sink is never built from values it cannot honour.
 * Build them with {@link #builder(OutputFormat, Path)} in code, or {@link #parse(Map)} from a
 * configuration (the keys are documented on {@link FileSinkConfig}).
 *
 * @param device the device this sink is meant for (carried as a service property for the
 *     pipeline's filter); may be empty
 * @param path the directory for PNG snapshots, the file for raw and Y4M streams
 * @param format what to write
 * @param maxFps the most frames per second to write; 0 = every frame
 * @param onlyWhenChanged skip a frame that shows the same pixels (and cursor, when composited)
 *     as the last one written
 * @param keep PNG only: keep the newest N snapshots of this pattern and device, 0 = keep all
 * @param cursor composite the cursor into the image (PNG and Y4M)
 * @param chroma Y4M only: chroma subsampling
 * @param namePattern PNG only: file names
 * @param atomic PNG only: write a temporary file and rename it, so readers never see half a file
 * @param fsync flush each PNG (before its rename) or each stream frame to the device
 */
public record FileSinkOptions(
        String device,
        Path path,
        OutputFormat format,
        double maxFps,
        boolean onlyWhenChanged,
        int keep,
        boolean cursor,
        Y4mChroma chroma,
        NamePattern namePattern,
        boolean atomic,
        boolean fsync) {

    /** The configuration keys {@link #parse} reads, in the order the README lists them. */
    public static final List<String> KEYS = List.of("device", "path", "format", "maxFps", "onlyWhenChanged", "keep",
            "cursor", "y4m.chroma", "namePattern", "atomic", "fsync");

    /** The sink's name in stats and its thread name: read by the pipeline, not by this sink. */
    public static final String SINK_NAME = "sink.name";

    /**
     * The keys of a configuration that nothing reads: not one of {@link #KEYS}, not
     * {@value #SINK_NAME}, and not a framework's own ({@code service.*}, {@code component.*},
     * {@code felix.fileinstall.*}, {@code osgi.*}), sorted.
     */
    public static List<String> unknownKeys(Collection<String> keys) {
        List<String> unknown = new ArrayList<>();
        for (String k : keys) {
            if (!KEYS.contains(k) && !k.equals(SINK_NAME) && !k.startsWith("service.") && !k.startsWith("component.")
                    && !k.startsWith("felix.fileinstall.") && !k.startsWith("osgi.")) {
                unknown.add(k);
            }
        }
        unknown.sort(null);
        return unknown;
    }

    /** The most frames per second accepted (far above any display). */
    public static final double MAX_FPS = 1000;

    public FileSinkOptions {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(chroma, "chroma");
        Objects.requireNonNull(namePattern, "namePattern");
        if (!(maxFps >= 0 && maxFps <= MAX_FPS)) {
            throw bad("maxFps", maxFps, "a number of frames per second from 0 (every frame) to " + (int) MAX_FPS);
        }
        if (keep < 0) {
            throw bad("keep", keep, "0 (keep every file) or a positive count of files to keep");
        }
        if (keep > 0 && format.isStream()) {
            throw bad("keep", keep, "0 for format " + format.key() + ": retention applies to png snapshots only");
        }
        if (cursor && format == OutputFormat.RAW) {
            throw bad("cursor", true, "false for format raw: a raw stream holds the plane's bytes as they are"
                    + "; the cursor can be composited into png and y4m");
        }
    }

    /** A name for log lines: {@code png:/path}. */
    public String name() {
        return format.key() + ":" + path;
    }

    /** Defaults for a format: see {@link Builder}. */
    public static Builder builder(OutputFormat format, Path path) {
        return new Builder(format, path);
    }

    /**
     * Builds options from configuration values (Strings, Numbers or Booleans), with the
     * defaults of {@link FileSinkConfig} for absent keys.
     *
     * @throws IllegalArgumentException naming the key, the value and what is accepted
     */
    public static FileSinkOptions parse(Map<String, ?> config) {
        Object pathValue = config.get("path");
        // trim() also drops control characters that isBlank() keeps: check what is left after it
        String pathText = pathValue == null ? "" : pathValue.toString().trim();
        if (pathText.isEmpty()) {
            throw new IllegalArgumentException("file sink configuration: path is required (a directory for png, a file for raw and y4m)");
        }
        Path path;
        try {
            path = Path.of(pathText);
        } catch (InvalidPathException e) {
            throw bad("path", pathValue, "a file system path (" + e.getReason() + ")");
        }
        OutputFormat format = parseFormat(config.get("format"));
        Builder b = builder(format, path);
        Object device = config.get("device");
        if (device != null) {
            b.device(device.toString());
        }
        Object fps = config.get("maxFps");
        if (fps != null && !"auto".equalsIgnoreCase(fps.toString().trim())) {
            b.maxFps(parseDouble("maxFps", fps, "a number of frames per second from 0 (every frame) to "
                    + (int) MAX_FPS + ", or auto (1 for png, every frame for streams)"));
        }
        Object changed = config.get("onlyWhenChanged");
        if (changed != null) {
            b.onlyWhenChanged(parseBoolean("onlyWhenChanged", changed));
        }
        Object keep = config.get("keep");
        if (keep != null) {
            b.keep(parseInt("keep", keep, "0 (keep every file) or a positive count of files to keep"));
        }
        Object cursor = config.get("cursor");
        if (cursor != null && !"auto".equalsIgnoreCase(cursor.toString().trim())) {
            b.cursor(parseBoolean("cursor", cursor));
        }
        Object chroma = config.get("y4m.chroma");
        if (chroma != null) {
            b.chroma(parseChroma(chroma));
        }
        Object pattern = config.get("namePattern");
        if (pattern != null) {
            try {
                b.namePattern(pattern.toString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("file sink configuration: namePattern = '" + pattern + "' is not accepted: "
                        + e.getMessage(), e);
            }
        }
        Object atomic = config.get("atomic");
        if (atomic != null) {
            b.atomic(parseBoolean("atomic", atomic));
        }
        Object fsync = config.get("fsync");
        if (fsync != null) {
            b.fsync(parseBoolean("fsync", fsync));
        }
        return b.build();
    }

    private static OutputFormat parseFormat(Object value) {
        if (value == null) {
            return OutputFormat.PNG;
        }
        String s = value.toString().trim().toLowerCase(Locale.ROOT);
        for (OutputFormat f : OutputFormat.values()) {
            if (f.key().equals(s)) {
                return f;
            }
        }
        throw bad("format", value, "png, raw or y4m");
    }

    private static Y4mChroma parseChroma(Object value) {
        String s = value.toString().trim();
        for (Y4mChroma c : Y4mChroma.values()) {
            if (c.key().equals(s)) {
                return c;
            }
        }
        throw bad("y4m.chroma", value, "420 or 444");
    }

    private static boolean parseBoolean(String key, Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        String s = value.toString().trim();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw bad(key, value, "true or false");
    }

    private static double parseDouble(String key, Object value, String accepted) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(value.toString().trim());
        } catch (NumberFormatException e) {
            throw bad(key, value, accepted);
        }
    }

    private static int parseInt(String key, Object value, String accepted) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            long v = ((Number) value).longValue();
            if (v == (int) v) {
                return (int) v;
            }
            throw bad(key, value, accepted);
        }
        try {
            return Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            throw bad(key, value, accepted);
        }
    }

    private static IllegalArgumentException bad(String key, Object value, String accepted) {
        return new IllegalArgumentException("file sink configuration: " + key + " = '" + value
                + "' is not accepted; expected " + accepted);
    }

    /**
     * Options with the defaults: maxFps 1 for png and 0 (every frame) for streams,
     * onlyWhenChanged true, keep 0, cursor true for png and false for streams, chroma 4:2:0,
     * pattern {@value NamePattern#DEFAULT}, atomic true, fsync false, device empty.
     *
     * <p>Threads: confined to the caller.
     */
    public static final class Builder {
        private final OutputFormat format;
        private final Path path;
        private String device = "";
        private double maxFps;
        private boolean onlyWhenChanged = true;
        private int keep;
        private boolean cursor;
        private Y4mChroma chroma = Y4mChroma.C420;
        private NamePattern namePattern = NamePattern.parse(NamePattern.DEFAULT);
        private boolean atomic = true;
        private boolean fsync;

        private Builder(OutputFormat format, Path path) {
            this.format = Objects.requireNonNull(format, "format");
            this.path = Objects.requireNonNull(path, "path");
            this.maxFps = format.defaultMaxFps();
            this.cursor = format.defaultCursor();
        }

        public Builder device(String value) {
            this.device = Objects.requireNonNull(value, "device");
            return this;
        }

        public Builder maxFps(double value) {
            this.maxFps = value;
            return this;
        }

        public Builder onlyWhenChanged(boolean value) {
            this.onlyWhenChanged = value;
            return this;
        }

        public Builder keep(int value) {
            this.keep = value;
            return this;
        }

        public Builder cursor(boolean value) {
            this.cursor = value;
            return this;
        }

        public Builder chroma(Y4mChroma value) {
            this.chroma = Objects.requireNonNull(value, "chroma");
            return this;
        }

        /** @throws IllegalArgumentException when the pattern is not valid ({@link NamePattern}) */
        public Builder namePattern(String value) {
            this.namePattern = NamePattern.parse(value);
            return this;
        }

        public Builder atomic(boolean value) {
            this.atomic = value;
            return this;
        }

        public Builder fsync(boolean value) {
            this.fsync = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the option that cannot be honoured */
        public FileSinkOptions build() {
            return new FileSinkOptions(device, path, format, maxFps, onlyWhenChanged, keep, cursor, chroma, namePattern,
                    atomic, fsync);
        }
    }
}
