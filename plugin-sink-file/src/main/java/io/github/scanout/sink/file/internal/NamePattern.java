package io.github.scanout.sink.file.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The file name pattern of PNG snapshots.
 *
 * <p>Placeholders:
 * <ul>
 *   <li>{@code {device}}: the device name with every character outside {@code [A-Za-z0-9._-]}
 *       replaced by {@code _} and a leading dot replaced too, so that a name like
 *       {@code sim:mbochs?mode=800x600} or {@code ../x} can never leave the directory or hide
 *       the file ({@code sim_mbochs_mode_800x600});
 *   <li>{@code {seq}} or {@code {seq:0Nd}}: the frame's sequence number on its device,
 *       optionally zero-padded to N digits (N from 1 to 20);
 *   <li>{@code {n}} or {@code {n:0Nd}}: this sink's own counter of written files, from 1;
 *   <li>{@code {time}}: the capture wall-clock time in UTC as {@code yyyyMMdd-HHmmss.SSS}.
 * </ul>
 * Anything else is literal; a literal may not contain {@code /}, {@code \}, NUL or braces.
 * {@code {seq}} and {@code {n}} must be followed by a character that is not a digit (or end the
 * pattern): otherwise the names could not be read back for retention, and matching them would
 * take exponential time.
 * A name that comes out the same twice (for example a pattern without placeholders, such as
 * {@code latest.png}) replaces the earlier file atomically.
 *
 * <p>Immutable and thread-safe.
 */
public final class NamePattern {

    /** The default: {@code {device}-{seq:08d}-{time}.png}. */
    static final String DEFAULT = "{device}-{seq:08d}-{time}.png";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)(?::0(\\d{1,2})d)?}");
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss.SSS").withZone(ZoneOffset.UTC);

    private enum Kind { LITERAL, DEVICE, SEQ, N, TIME }

    private record Part(Kind kind, String literal, int width) {}

    private final String text;
    private final List<Part> parts;

    private NamePattern(String text, List<Part> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
    }

    /**
     * Parses a pattern.
     *
     * @throws IllegalArgumentException naming the pattern and what is wrong with it
     */
    public static NamePattern parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the name pattern is empty");
        }
        List<Part> parts = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        int at = 0;
        while (m.find()) {
            literal(text, text.substring(at, m.start()), parts);
            String name = m.group(1);
            int width = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
            Kind kind = switch (name) {
                case "device" -> Kind.DEVICE;
                case "seq" -> Kind.SEQ;
                case "n" -> Kind.N;
                case "time" -> Kind.TIME;
                default -> throw new IllegalArgumentException("unknown placeholder {" + name + "} in name pattern '"
                        + text + "'; known: {device}, {seq}, {seq:0Nd}, {n}, {n:0Nd}, {time}");
            };
            if (width != 0 && kind != Kind.SEQ && kind != Kind.N) {
                throw new IllegalArgumentException("placeholder {" + name + "} in name pattern '" + text
                        + "' takes no width; only {seq:0Nd} and {n:0Nd} do");
            }
            if (width > 20) {
                throw new IllegalArgumentException("width " + width + " in name pattern '" + text + "' is above 20");
            }
            parts.add(new Part(kind, null, width));
            at = m.end();
        }
        literal(text, text.substring(at), parts);
        for (int i = 0; i + 1 < parts.size(); i++) {
            Part number = parts.get(i);
            Part next = parts.get(i + 1);
            if ((number.kind == Kind.SEQ || number.kind == Kind.N) && (next.kind != Kind.LITERAL
                    || (next.literal.charAt(0) >= '0' && next.literal.charAt(0) <= '9'))) {
                // {seq}{n}, {seq}7...: the names cannot be read back, and matching them is exponential
                throw new IllegalArgumentException("placeholder {" + number.kind.name().toLowerCase(java.util.Locale.ROOT)
                        + "} in name pattern '" + text + "' is followed by " + (next.kind == Kind.LITERAL
                        ? "the digit '" + next.literal.charAt(0) + "'" : "{" + next.kind.name().toLowerCase(java.util.Locale.ROOT) + "}")
                        + "; a number must be followed by a character that is not a digit, or end the name");
            }
        }
        NamePattern p = new NamePattern(text, parts);
        String sample = p.format("device", 1, 1, 0);
        if (sample.equals(".") || sample.equals("..")) {
            throw new IllegalArgumentException("name pattern '" + text + "' names a directory");
        }
        if (sample.startsWith(".") && sample.endsWith(".tmp")) {
            throw new IllegalArgumentException("name pattern '" + text + "' looks like the sink's own temporary files (.NAME.tmp)");
        }
        return p;
    }

    private static void literal(String text, String s, List<Part> parts) {
        if (s.isEmpty()) {
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '\\' || c == 0 || c == '{' || c == '}') {
                throw new IllegalArgumentException("name pattern '" + text + "' contains '" + (c == 0 ? "NUL" : c)
                        + "': a name may not contain / \\ NUL, and braces only in the placeholders "
                        + "{device}, {seq}, {seq:0Nd}, {n}, {n:0Nd}, {time}");
            }
        }
        parts.add(new Part(Kind.LITERAL, s, 0));
    }

    /** The file name for one snapshot. */
    String format(String device, long sequence, long counter, long wallMillis) {
        StringBuilder b = new StringBuilder(64);
        for (Part p : parts) {
            switch (p.kind) {
                case LITERAL -> b.append(p.literal);
                case DEVICE -> b.append(sanitize(device));
                case SEQ -> pad(b, sequence, p.width);
                case N -> pad(b, counter, p.width);
                case TIME -> b.append(TIME.format(Instant.ofEpochMilli(wallMillis)));
                default -> throw new AssertionError(p.kind);
            }
        }
        return b.toString();
    }

    /** A regular expression matching every name this pattern can give for this device. */
    Pattern matcherFor(String device) {
        StringBuilder b = new StringBuilder();
        for (Part p : parts) {
            switch (p.kind) {
                case LITERAL -> b.append(Pattern.quote(p.literal));
                case DEVICE -> b.append(Pattern.quote(sanitize(device)));
                case SEQ, N -> b.append("\\d+");
                case TIME -> b.append("\\d{8}-\\d{6}\\.\\d{3}");
                default -> throw new AssertionError(p.kind);
            }
        }
        return Pattern.compile(b.toString());
    }

    /** A regular expression matching every name this pattern can give, for any device. */
    Pattern matcherForAnyDevice() {
        StringBuilder b = new StringBuilder();
        for (Part p : parts) {
            switch (p.kind) {
                case LITERAL -> b.append(Pattern.quote(p.literal));
                case DEVICE -> b.append("[A-Za-z0-9_-][A-Za-z0-9._-]*");
                case SEQ, N -> b.append("\\d+");
                case TIME -> b.append("\\d{8}-\\d{6}\\.\\d{3}");
                default -> throw new AssertionError(p.kind);
            }
        }
        return Pattern.compile(b.toString());
    }

    /** A device name made safe for a file name; see the class comment. */
    static String sanitize(String device) {
        if (device == null || device.isEmpty()) {
            return "device";
        }
        StringBuilder b = new StringBuilder(device.length());
        for (int i = 0; i < device.length(); i++) {
            char c = device.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || (c == '.' && i > 0);
            b.append(ok ? c : '_');
        }
        return b.toString();
    }

    private static void pad(StringBuilder b, long value, int width) {
        String s = Long.toString(value);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        b.append(s);
    }

    @Override
    public String toString() {
        return text;
    }
}
