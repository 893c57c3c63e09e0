package io.github.scanout.sink.file.internal;

import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
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
 * @param keep keep the newest N snapshots of this pattern and device (PNG) or files of this
 *     stream (raw, Y4M), 0 = keep all
 * @param cursor composite the cursor into the image (PNG and Y4M)
 * @param chroma Y4M only: chroma subsampling
 * @param namePattern PNG only: file names
 * @param atomic PNG only: write a temporary file and rename it, so readers never see half a file
 * @param fsync flush each PNG (before its rename) or each stream frame to the device
 * @param rotateBytes streams only: the most bytes in one file before the next is started, 0 = no limit
 * @param rotateSeconds streams only: the longest time one file is written to, 0 = no limit
 * @param minFreeBytes the free-space floor in bytes, 0 = none, {@link #AUTO_MIN_FREE} = 1 GiB or
 *     5% of the file system, whichever is smaller
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
        boolean fsync,
        long rotateBytes,
        long rotateSeconds,
        long minFreeBytes) {

    /** {@link #minFreeBytes()} for "auto": 1 GiB, or 5% of the file system when that is smaller. */
    public static final long AUTO_MIN_FREE = -1;
    /** The floor "auto" uses on a file system of 20 GiB or more. */
    public static final long AUTO_MIN_FREE_BYTES = 1L << 30;

    /**
     * The configuration keys {@link #parse} reads, with their rules, as {@link FileSinkConfig}
     * declares them, and {@code sink.name}, which the pipeline reads.
     */
    public static final List<ConfigKey> KEYS = ConfigReader.sinkKeys(ConfigKey.fromMetatype(FileSinkConfig.class));

    /** The most frames per second accepted (far above any display). */
    public static final double MAX_FPS = 1000;

    public FileSinkOptions {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(chroma, "chroma");
        Objects.requireNonNull(namePattern, "namePattern");
        if (!(maxFps >= 0 && maxFps <= MAX_FPS)) {
            throw bad("max.fps", maxFps, "a number of frames per second from 0 (every frame) to " + (int) MAX_FPS);
        }
        if (keep < 0) {
            throw bad("keep", keep, "0 (keep every file) or a positive count of files to keep");
        }
        if (rotateBytes < 0) {
            throw bad("rotate.bytes", rotateBytes, "0 (no limit) or a positive number of bytes");
        }
        if (rotateSeconds < 0) {
            throw bad("rotate.seconds", rotateSeconds, "0 (no limit) or a positive number of seconds");
        }
        if ((rotateBytes > 0 || rotateSeconds > 0) && !format.isStream()) {
            throw bad(rotateBytes > 0 ? "rotate.bytes" : "rotate.seconds", rotateBytes > 0 ? rotateBytes : rotateSeconds,
                    "0 for format png: rotation applies to raw and y4m streams");
        }
        if (minFreeBytes < AUTO_MIN_FREE) {
            throw bad("min.free.bytes", minFreeBytes, "auto, 0 (no floor) or a positive number of bytes");
        }
        if (cursor && format == OutputFormat.RAW) {
            throw bad("cursor", true, "false for format raw: a raw stream holds the plane's bytes as they are"
                    + "; the cursor can be composited into png and y4m");
        }
    }

    /** The floor for a file system of {@code totalBytes}: the configured one, or auto's. */
    public long minFreeBytes(long totalBytes) {
        return minFreeBytes == AUTO_MIN_FREE ? Math.min(AUTO_MIN_FREE_BYTES, totalBytes / 20) : minFreeBytes;
    }

    /** When stream files are rotated and how many are kept. */
    public io.github.scanout.api.support.StreamRotation.Policy rotation() {
        return new io.github.scanout.api.support.StreamRotation.Policy(rotateBytes,
                java.util.concurrent.TimeUnit.SECONDS.toNanos(rotateSeconds), format.isStream() ? keep : 0);
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
     * @throws io.github.scanout.api.support.ConfigException naming the key, the value and what is
     *     accepted
     */
    public static FileSinkOptions parse(Map<String, ?> config) {
        return parse(new ConfigReader("file sink configuration", KEYS, config));
    }

    /**
     * Builds options from a configuration read with {@link #KEYS}: each key's own rule, then
     * the rules between keys (retention and a composited cursor need the format to allow them).
     *
     * @throws io.github.scanout.api.support.ConfigException with the first problem, one line
     *     naming the configuration, the key, the value and what is accepted
     */
    public static FileSinkOptions parse(ConfigReader r) {
        r.check();
        String pathText = r.text("path");
        Path path = null;
        try {
            path = Path.of(pathText);
        } catch (InvalidPathException e) {
            r.refuse("path", "expected a file system path (" + e.getReason() + ")");
        }
        OutputFormat format = OutputFormat.PNG;
        for (OutputFormat f : OutputFormat.values()) {
            if (r.is("format", f.key())) {
                format = f;
            }
        }
        int keep = r.integer("keep");
        long rotateBytes = r.whole("rotate.bytes");
        long rotateSeconds = r.whole("rotate.seconds");
        if (!format.isStream()) {
            for (String k : List.of("rotate.bytes", "rotate.seconds")) {
                if (r.whole(k) > 0) {
                    r.refuse(k, "expected 0 for format png: rotation applies to raw and y4m streams");
                }
            }
        }
        long minFree = r.is("min.free.bytes", "auto") ? AUTO_MIN_FREE : r.whole("min.free.bytes");
        boolean cursor = r.is("cursor", "auto") ? format.defaultCursor() : r.bool("cursor");
        if (cursor && format == OutputFormat.RAW) {
            r.refuse("cursor", "expected false or auto for format raw: a raw stream holds the plane's bytes as they"
                    + " are; the cursor can be composited into png and y4m");
        }
        NamePattern pattern = null;
        try {
            pattern = NamePattern.parse(r.text("name.pattern"));
        } catch (IllegalArgumentException e) {
            r.refuse("name.pattern", "expected a file name pattern: " + e.getMessage());
        }
        r.check();
        Builder b = builder(format, path).device(r.text("device")).keep(keep).cursor(cursor)
                .onlyWhenChanged(r.bool("only.when.changed")).atomic(r.bool("atomic")).fsync(r.bool("fsync"))
                .rotateBytes(rotateBytes).rotateSeconds(rotateSeconds).minFreeBytes(minFree);
        b.namePattern = pattern;
        if (!r.is("max.fps", "auto")) {
            b.maxFps(r.number("max.fps"));
        }
        for (Y4mChroma c : Y4mChroma.values()) {
            if (r.is("y4m.chroma", c.key())) {
                b.chroma(c);
            }
        }
        return b.build();
    }

    private static IllegalArgumentException bad(String key, Object value, String accepted) {
        return new IllegalArgumentException("file sink configuration: " + key + " = '" + value
                + "' is not accepted; expected " + accepted);
    }

    /**
     * Options with the defaults: maxFps 1 for png and 0 (every frame) for streams,
     * onlyWhenChanged true, keep 0, cursor true for png and false for streams, chroma 4:2:0,
     * pattern {@value NamePattern#DEFAULT}, atomic true, fsync false, device empty, no rotation,
     * free-space floor "auto" ({@link FileSinkOptions#AUTO_MIN_FREE}).
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
        private long rotateBytes;
        private long rotateSeconds;
        private long minFreeBytes = AUTO_MIN_FREE;

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

        public Builder rotateBytes(long value) {
            this.rotateBytes = value;
            return this;
        }

        public Builder rotateSeconds(long value) {
            this.rotateSeconds = value;
            return this;
        }

        /** The free-space floor in bytes; 0 = none; {@link FileSinkOptions#AUTO_MIN_FREE} = auto. */
        public Builder minFreeBytes(long value) {
            this.minFreeBytes = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the option that cannot be honoured */
        public FileSinkOptions build() {
            return new FileSinkOptions(device, path, format, maxFps, onlyWhenChanged, keep, cursor, chroma, namePattern,
                    atomic, fsync, rotateBytes, rotateSeconds, minFreeBytes);
        }
    }
}
