package io.github.scanout.web.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The console's HTML, rendered on the server from the {@code devices} model of
 * {@code scanout ctl --json}: every device with its name, spec, state (and reason), buffer type,
 * fps, drops, latency and sink count, a thumbnail of its snapshot endpoint and a "Download PNG"
 * link to the same picture as an attachment. No inline script
 * or style (the CSP is {@code default-src 'self'}); {@code console.js} refreshes the thumbnails
 * and numbers. Every text from the model is HTML-escaped.
 *
 * <p>Stateless; any thread.
 */
final class Page {
    private Page() {}

    static String render(Map<String, Object> model) {
        List<?> devices = model.get("devices") instanceof List<?> l ? l : List.of();
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Scanout: ").append(devices.size()).append(devices.size() == 1 ? " device" : " devices")
                .append("</title>\n<link rel=\"stylesheet\" href=\"/console.css\">\n")
                .append("<script src=\"/console.js\" defer></script>\n</head>\n<body>\n<header>\n<h1>Scanout</h1>\n")
                .append("<p id=\"summary\">").append(devices.size()).append(devices.size() == 1 ? " device" : " devices")
                .append(" &middot; read-only &middot; <a href=\"/api/devices\">JSON</a></p>\n</header>\n<main>\n");
        if (devices.isEmpty()) {
            b.append("<p class=\"empty\">No devices are configured.</p>\n");
        }
        b.append("<ul class=\"devices\">\n");
        for (Object o : devices) {
            Map<String, Object> d = WebServer.asMap(o);
            String name = str(d.get("name"));
            String state = str(d.get("state"));
            b.append("<li class=\"device\" data-device=\"").append(esc(name)).append("\">\n")
                    .append("<h2 class=\"name\">").append(esc(name)).append("</h2>\n")
                    .append("<img class=\"thumb\" src=\"/api/devices/").append(esc(pathSegment(name)))
                    .append("/snapshot.png\" alt=\"The screen of ").append(esc(name)).append("\">\n")
                    .append("<p class=\"actions\"><a class=\"download\" href=\"/api/devices/")
                    .append(esc(pathSegment(name))).append("/snapshot.png?download=1\" download aria-label=\"Download PNG of ").append(esc(name))
                    .append("\">Download PNG</a></p>\n")
                    .append("<p class=\"why\" role=\"status\"></p>\n<dl>\n");
            item(b, "Spec", "spec", str(d.get("spec")));
            item(b, "State", "state", state + (str(d.get("reason")).isEmpty() ? "" : " (" + str(d.get("reason")) + ")"));
            item(b, "Mode", "mode", str(d.get("mode")).isEmpty() ? "none" : str(d.get("mode")));
            item(b, "Buffer type", "source", str(d.get("source")).isEmpty() ? "none" : str(d.get("source")));
            item(b, "Frames per second", "fps", str(d.get("fps")));
            item(b, "Drops", "dropped", str(d.get("dropped")));
            item(b, "Latency p50 / p99", "latency", latency(d.get("latencyP50Micros"), d.get("latencyP99Micros")));
            item(b, "Sinks", "sinks", str(d.get("sinks")));
            b.append("</dl>\n</li>\n");
        }
        b.append("</ul>\n</main>\n</body>\n</html>\n");
        return b.toString();
    }

    /** {@code 1.2 ms / 3.4 ms}, as console.js writes it. */
    static String latency(Object p50, Object p99) {
        return ms(p50) + " / " + ms(p99);
    }

    private static String ms(Object micros) {
        long us = micros instanceof Number n ? n.longValue() : 0;
        return String.format(Locale.ROOT, "%.1f ms", us / 1000.0);
    }

    private static void item(StringBuilder b, String label, String cls, String value) {
        b.append("<dt>").append(label).append("</dt><dd class=\"").append(cls).append("\">").append(esc(value))
                .append("</dd>\n");
    }

    private static String str(Object o) {
        return o == null ? "" : String.valueOf(o);
    }

    /** The name as one URL path segment: bytes other than unreserved ones percent-encoded. */
    static String pathSegment(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~' || c == ':') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }

    /** HTML text and attribute escaping. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
