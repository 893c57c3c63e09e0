package io.github.scanout.sink.video.internal;

import java.util.Locale;

/**
 * Where a video sink writes: a file (its container from the extension) or a stream URL. Parsed
 * from configuration text, which comes from the operator ({@code --sink}, {@code conf/}) and is
 * therefore checked character by character: one line naming what is wrong.
 *
 * <p>Immutable; any thread.
 *
 * @param kind what it is
 * @param location the file path, the directory (HLS), or the URL as GStreamer gets it
 */
record Target(Kind kind, String location) {

    /** What a target is. */
    enum Kind {
        /** A fragmented MP4 file. */
        MP4,
        /** A Matroska file. */
        MKV,
        /** A WebM file. */
        WEBM,
        /** RTSP RECORD to a server. */
        RTSP,
        /** SRT, caller mode. */
        SRT,
        /** RTMP publishing. */
        RTMP,
        /** HLS segments and a playlist in a directory. */
        HLS;

        boolean file() {
            return this == MP4 || this == MKV || this == WEBM;
        }

        boolean network() {
            return this == RTSP || this == SRT || this == RTMP;
        }
    }

    private static final int MAX = 4096;

    /**
     * A recording's file.
     *
     * @throws IllegalArgumentException naming what is wrong and what is accepted
     */
    static Target file(String path) {
        String p = checked(path, "path");
        String lower = p.toLowerCase(Locale.ROOT);
        Kind k;
        if (lower.endsWith(".mp4") || lower.endsWith(".m4v")) {
            k = Kind.MP4;
        } else if (lower.endsWith(".mkv")) {
            k = Kind.MKV;
        } else if (lower.endsWith(".webm")) {
            k = Kind.WEBM;
        } else {
            throw new IllegalArgumentException("'" + p + "' has no container extension: expected a name ending in "
                    + ".mp4, .mkv or .webm");
        }
        if (p.endsWith("/")) {
            throw new IllegalArgumentException("'" + p + "' is a directory: expected a file name");
        }
        return new Target(k, p);
    }

    /**
     * A stream's URL: {@code rtsp://HOST[:PORT]/PATH}, {@code rtsps://...}, {@code srt://HOST:PORT[?...]},
     * {@code rtmp://HOST[:PORT]/APP/KEY}, {@code rtmps://...} or {@code hls:DIRECTORY}.
     *
     * @throws IllegalArgumentException naming what is wrong and what is accepted
     */
    static Target stream(String url) {
        String u = checked(url, "url");
        int colon = u.indexOf(':');
        String scheme = colon <= 0 ? "" : u.substring(0, colon).toLowerCase(Locale.ROOT);
        if (scheme.equals("hls")) {
            String dir = u.substring(colon + 1);
            if (dir.startsWith("//")) {
                dir = dir.substring(2);
            }
            if (dir.isEmpty()) {
                throw new IllegalArgumentException("'" + u + "' names no directory: expected hls:/DIRECTORY/");
            }
            return new Target(Kind.HLS, dir);
        }
        Kind k = switch (scheme) {
            case "rtsp", "rtsps" -> Kind.RTSP;
            case "srt" -> Kind.SRT;
            case "rtmp", "rtmps" -> Kind.RTMP;
            default -> throw new IllegalArgumentException("'" + u + "' is not a URL this sink publishes to: expected "
                    + "rtsp://HOST:PORT/PATH, srt://HOST:PORT, rtmp://HOST/APP/KEY or hls:/DIRECTORY/");
        };
        if (!u.startsWith("//", colon + 1)) {
            throw new IllegalArgumentException("'" + u + "': expected " + scheme + "://HOST...");
        }
        int start = colon + 3;
        int end = start;
        while (end < u.length() && "/?#".indexOf(u.charAt(end)) < 0) {
            end++;
        }
        String authority = u.substring(start, end);
        int at = authority.lastIndexOf('@');
        String hostPort = at < 0 ? authority : authority.substring(at + 1);
        String host;
        String port = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + u + "': an IPv6 address needs its closing ']'");
            }
            host = hostPort.substring(1, close);
            String rest = hostPort.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + u + "': expected ':PORT' after the IPv6 address");
                }
                port = rest.substring(1);
            }
        } else {
            int c = hostPort.lastIndexOf(':');
            host = c < 0 ? hostPort : hostPort.substring(0, c);
            port = c < 0 ? null : hostPort.substring(c + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + u + "' names no host");
        }
        if (port != null) {
            int n = -1;
            if (!port.isEmpty() && port.length() <= 5 && port.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                n = Integer.parseInt(port);
            }
            if (n < 1 || n > 65535) {
                throw new IllegalArgumentException("'" + u + "': port '" + port + "' is not a number from 1 to 65535");
            }
        } else if (k == Kind.SRT) {
            throw new IllegalArgumentException("'" + u + "': an SRT URL needs a port (srt://HOST:PORT)");
        }
        if (k == Kind.RTSP && (end >= u.length() || u.charAt(end) != '/' || end + 1 >= u.length())) {
            throw new IllegalArgumentException("'" + u + "': expected a path after the server (rtsp://HOST:PORT/PATH)");
        }
        return new Target(k, u);
    }

    /** The URL or path without a password, for messages and logs. */
    String shown() {
        if (!kind.network()) {
            return location;
        }
        int start = location.indexOf("://") + 3;
        int end = start;
        while (end < location.length() && "/?#".indexOf(location.charAt(end)) < 0) {
            end++;
        }
        int at = location.lastIndexOf('@', end - 1);
        if (at < start) {
            return location;
        }
        String user = location.substring(start, at);
        int c = user.indexOf(':');
        return c < 0 ? location : location.substring(0, start) + user.substring(0, c) + ":***" + location.substring(at);
    }

    private static String checked(String text, String key) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(key + " is empty (required unless a pipeline is configured)");
        }
        String t = text.trim();
        if (t.length() > MAX) {
            throw new IllegalArgumentException(key + " is longer than " + MAX + " characters");
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < ' ' || c == 0x7f) {
                throw new IllegalArgumentException(key + " '" + t.replaceAll("\\p{Cntrl}", "?") + "' has a control "
                        + "character at " + i);
            }
        }
        return t;
    }
}
