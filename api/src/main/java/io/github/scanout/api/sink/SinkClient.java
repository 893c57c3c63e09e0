package io.github.scanout.api.sink;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One client a sink serves right now, with its own counters: a viewer connected to a VNC sink,
 * for example. A sink that serves several clients reports them in {@link SinkOutput#clients()}
 * next to its totals; a client that is gone is no longer listed, and what it was sent stays in
 * the sink's totals.
 *
 * <p>Everything here ends up in operator output and metric labels, so the record checks it: the
 * {@code id} and the encoding names are short words of a fixed alphabet (made by the sink, never
 * taken from the client), and the {@code peer} is one line of at most {@value #MAX_PEER} characters
 * (control characters become {@code ?}).
 *
 * @param id a short id, unique within the sink while the client is connected and never reused by
 *     that sink (for example {@code v3}): letters, digits, {@code . _ -}, 1 to 32 characters
 * @param peer who the client is, for people: its address and port ({@code 127.0.0.1:40432}), or
 *     the Unix socket it came through
 * @param since when it connected
 * @param bytes bytes sent to it
 * @param updates updates sent to it (a VNC FramebufferUpdate, a frame of a stream)
 * @param coalesced frames it did not get one by one because it was slower than the screen changed
 *     (they were merged into a later update)
 * @param encodings what it was sent, counted by encoding name (a VNC sink counts rectangles:
 *     {@code raw}, {@code zrle}, {@code tight_jpeg}...): lower-case letters, digits and {@code _},
 *     1 to 32 characters; iterated in name order
 */
public record SinkClient(String id, String peer, Instant since, long bytes, long updates, long coalesced,
        Map<String, Long> encodings) {

    /** The longest {@code peer} kept; a longer one is cut. */
    public static final int MAX_PEER = 200;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final Pattern ENCODING = Pattern.compile("[a-z0-9_]{1,32}");

    /**
     * Checks the id, the counts and the encoding names; makes the peer one printable line.
     *
     * @param id the client's short id
     * @param peer who the client is
     * @param since when it connected
     * @param bytes bytes sent to it
     * @param updates updates sent to it
     * @param coalesced frames merged into later updates
     * @param encodings what it was sent, by encoding name
     * @throws IllegalArgumentException for an id or encoding name outside its alphabet, or a
     *     negative count
     */
    public SinkClient {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(encodings, "encodings");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("client id must be 1 to 32 of A-Z a-z 0-9 . _ -: " + printable(id));
        }
        if (bytes < 0 || updates < 0 || coalesced < 0) {
            throw new IllegalArgumentException("negative count for client " + id + ": bytes " + bytes + ", updates "
                    + updates + ", coalesced " + coalesced);
        }
        TreeMap<String, Long> sorted = new TreeMap<>();
        for (Map.Entry<String, Long> e : encodings.entrySet()) {
            if (!ENCODING.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("encoding name must be 1 to 32 of a-z 0-9 _: " + printable(e.getKey()));
            }
            if (e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException("count of encoding " + e.getKey() + " for client " + id
                        + " is " + e.getValue());
            }
            sorted.put(e.getKey(), e.getValue());
        }
        encodings = java.util.Collections.unmodifiableMap(sorted);
        peer = printable(peer);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_PEER));
        for (int i = 0; i < s.length() && b.length() < MAX_PEER; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
        }
        return b.toString();
    }

    /**
     * One line for operator output: {@code v3 127.0.0.1:40432 since 2026-12-06T09:00:00Z: 120 updates,
     * 53210 bytes, 4 frames coalesced, encodings raw 1, zrle 480}.
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder().append(id).append(' ').append(peer).append(" since ").append(since)
                .append(": ").append(updates).append(" updates, ").append(bytes).append(" bytes, ").append(coalesced)
                .append(" frames coalesced");
        String sep = ", encodings ";
        for (Map.Entry<String, Long> e : encodings.entrySet()) {
            b.append(sep).append(e.getKey()).append(' ').append(e.getValue());
            sep = ", ";
        }
        return b.toString();
    }
}
