package io.github.scanout.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A sink type the command line knows: its name ({@code file}), the factory PID of its
 * configurations, the key its {@code TARGET} sets, and the keys its configuration accepts with a
 * cheap check of each value. The tables mirror the sinks' metatype ({@code OSGI-INF/metatype} in
 * their bundles; a test compares them), so that a typo is refused before the framework starts.
 * The sink itself still checks every value when it starts.
 *
 * <p>Immutable; any thread.
 */
record SinkType(String name, String pid, String targetKey, boolean targetRequired, Map<String, Value> keys) {

    /** The key every sink accepts besides its own: the name it has in stats and its thread name. */
    static final String SINK_NAME = "sink.name";
    /** The key the launcher sets from {@code --device}. */
    static final String DEVICE = "device";

    /** A value check. */
    interface Value {
        /** Null when the value is accepted, else what is accepted. */
        String check(String value);
    }

    static Value text() {
        return v -> null;
    }

    /**
     * A file sink name pattern: literals without {@code / \ NUL} or braces, and the placeholders
     * {@code {device} {seq} {seq:0Nd} {n} {n:0Nd} {time}} (the sink checks the rest).
     */
    static Value namePattern() {
        java.util.regex.Pattern placeholder = java.util.regex.Pattern.compile("\\{(device|time|seq|n|seq:0\\d+d|n:0\\d+d)\\}");
        return v -> {
            String literals = placeholder.matcher(v).replaceAll("");
            for (char c : literals.toCharArray()) {
                if (c == '/' || c == '\\' || c == 0 || c == '{' || c == '}') {
                    return "a file name: no / \\ or NUL, and braces only in {device}, {seq}, {seq:0Nd}, {n}, {n:0Nd}, {time}";
                }
            }
            return v.isBlank() ? "a file name pattern, for example {device}-{seq:08d}.png" : null;
        };
    }

    static Value bool() {
        return choice("true", "false");
    }

    static Value choice(String... options) {
        List<String> list = List.of(options);
        return v -> list.contains(v.trim().toLowerCase(Locale.ROOT)) ? null : "one of " + String.join(", ", list);
    }

    static Value wholeNumber(long min) {
        return v -> {
            try {
                return Long.parseLong(v.trim()) >= min ? null : "a whole number from " + min;
            } catch (NumberFormatException e) {
                return "a whole number from " + min;
            }
        };
    }

    static Value number(double min, double max, String... words) {
        Set<String> allowed = Set.of(words);
        String accepted = "a number from " + fmt(min) + " to " + fmt(max) + (words.length == 0 ? ""
                : " or " + String.join(", ", words));
        return v -> {
            if (allowed.contains(v.trim().toLowerCase(Locale.ROOT))) {
                return null;
            }
            try {
                double d = Double.parseDouble(v.trim());
                return d >= min && d <= max ? null : accepted;
            } catch (NumberFormatException e) {
                return accepted;
            }
        };
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** The file sink ({@code plugin-sink-file}): TARGET is the directory (png) or file (raw, y4m). */
    static final SinkType FILE = new SinkType("file", "io.github.scanout.sink.file", "path", true, ordered(
            "path", text(),
            "format", choice("png", "raw", "y4m"),
            "maxFps", number(0, 1000, "auto"),
            "onlyWhenChanged", bool(),
            "keep", wholeNumber(0),
            "cursor", choice("auto", "true", "false"),
            "y4m.chroma", choice("420", "444"),
            "namePattern", namePattern(),
            "atomic", bool(),
            "fsync", bool()));

    /** The GL sink ({@code plugin-sink-gl}): TARGET is the mode, {@code window} or {@code headless}. */
    static final SinkType GL = new SinkType("gl", "io.github.scanout.sink.gl", "mode", false, ordered(
            "mode", choice("window", "headless"),
            "scale", choice("aspect", "fit", "native"),
            "vsync", bool(),
            "title", text(),
            "width", wholeNumber(0),
            "height", wholeNumber(0),
            "edid.resize", bool(),
            "maxFps", number(0, Double.MAX_VALUE),
            "cursor.position", choice("top-left", "pointer"),
            "zeroCopy", bool(),
            "egl.platform", choice("auto", "surfaceless", "device"),
            "window.api", choice("auto", "native", "egl")));

    /**
     * The VNC sink ({@code plugin-sink-vnc}): TARGET is where it listens, {@code HOST:PORT} or
     * {@code PORT} (default 127.0.0.1:5900; port 0 picks a free one).
     */
    static final SinkType VNC = new SinkType("vnc", "io.github.scanout.sink.vnc", "listen", false, ordered(
            "listen", text(),
            "password.file", text(),
            "insecure", bool(),
            "maxViewers", wholeNumber(1),
            "timeout", wholeNumber(1)));

    /** Every type, by name. */
    static final Map<String, SinkType> ALL = Map.of(FILE.name, FILE, GL.name, GL, VNC.name, VNC);

    private static Map<String, Value> ordered(Object... pairs) {
        Map<String, Value> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (Value) pairs[i + 1]);
        }
        m.put(SINK_NAME, text());
        return m;
    }

    /** The known type names, sorted, for messages. */
    static String knownNames() {
        return String.join(", ", ALL.keySet().stream().sorted().toList());
    }
}
