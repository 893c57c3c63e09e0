package io.github.scanout.web.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The console's HTML, rendered on the server from the {@code devices} model of
 * {@code scanout ctl --json}: every device with its name, spec, state (and reason), buffer type,
 * fps, drops, latency and sink count, a thumbnail of its snapshot endpoint and a "Download PNG"
 * link to the same picture as an attachment; its sinks (from the {@code sinks} model) with a
 * Detach button each for those attached through {@code scanout ctl} or this console (the others
 * say why they stay); and per installed sink type (the {@code keys TYPE} model, from the sinks'
 * MetaType) an attach form, one labelled input per key with its description. Plain POST forms
 * with the CSRF token in a hidden field: they work without script. A refused form
 * ({@link Form}) is shown again with its values, its error next to the input of the key the
 * error names ({@code aria-invalid}, {@code aria-describedby}) or, naming none, at the top of
 * the form. No inline script
 * or style (the CSP is {@code default-src 'self'}); {@code console.js} refreshes the thumbnails
 * and numbers. Every text from the model is HTML-escaped.
 *
 * <p>Stateless; any thread.
 */
final class Page {
    private Page() {}

    /**
     * A form the console refused, to show again.
     *
     * @param device the device it was for; empty for a detach
     * @param type the sink type
     * @param values the keys' values as sent
     * @param message the error (one line)
     */
    record Form(String device, String type, Map<String, String> values, String message) {
        static final Form NONE = new Form("", "", Map.of(), "");
    }

    /**
     * @param model the {@code devices} model
     * @param sinks the {@code sinks} model's list
     * @param types the {@code keys TYPE} model of every installed sink type
     * @param token the CSRF token for the forms' hidden field
     * @param failed a refused form, or {@link Form#NONE}
     */
    static String render(Map<String, Object> model, List<?> sinks, List<Map<String, Object>> types, String token,
            Form failed) {
        return render(model, sinks, types, token, failed, true);
    }

    /**
     * As {@link #render(Map, List, List, String, Form)}; {@code control}: whether the user may
     * attach and detach. A viewer's page has no forms and says so.
     */
    static String render(Map<String, Object> model, List<?> sinks, List<Map<String, Object>> types, String token,
            Form failed, boolean control) {
        List<?> devices = model.get("devices") instanceof List<?> l ? l : List.of();
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Scanout: ").append(devices.size()).append(devices.size() == 1 ? " device" : " devices")
                .append("</title>\n<link rel=\"stylesheet\" href=\"/console.css\">\n")
                .append("<script src=\"/console.js\" defer></script>\n</head>\n<body>\n<header>\n<h1>Scanout</h1>\n")
                .append("<p id=\"summary\">").append(devices.size()).append(devices.size() == 1 ? " device" : " devices")
                .append(" &middot; <a href=\"/api/devices\">JSON</a></p>\n</header>\n<main>\n");
        if (!control) {
            b.append("<p id=\"role\">You may view this console; attaching and detaching sinks is for its"
                    + " controllers.</p>\n");
        }
        if (!failed.message().isEmpty() && failed.device().isEmpty()) {
            b.append("<p class=\"error\" role=\"alert\">").append(esc(failed.message())).append("</p>\n");
        }
        if (devices.isEmpty()) {
            b.append("<p class=\"empty\">No devices are configured.</p>\n");
        }
        b.append("<ul class=\"devices\">\n");
        int deviceIndex = 0;
        for (Object o : devices) {
            Map<String, Object> d = WebServer.asMap(o);
            String name = str(d.get("name"));
            String state = str(d.get("state"));
            b.append("<li class=\"device\" data-device=\"").append(esc(name)).append("\">\n")
                    .append("<h2 class=\"name\">").append(esc(name)).append("</h2>\n")
                    .append("<img class=\"thumb\" src=\"/api/devices/").append(esc(pathSegment(name)))
                    .append("/snapshot.png\" alt=\"The screen of ").append(esc(name)).append("\">\n")
                    .append("<p class=\"actions\"><a class=\"live\" href=\"/view/").append(esc(pathSegment(name)))
                    .append("\">Live view</a> <a class=\"download\" href=\"/api/devices/")
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
            b.append("</dl>\n");
            sinks(b, name, sinks, control ? token : null);
            int index = 0;
            for (Map<String, Object> t : control ? types : List.<Map<String, Object>>of()) {
                boolean mine = failed.device().equals(name) && failed.type().equals(str(t.get("type")));
                attachForm(b, "d" + deviceIndex + "-" + index++, name, t, token, mine ? failed : Form.NONE);
            }
            b.append("</li>\n");
            deviceIndex++;
        }
        b.append("</ul>\n</main>\n</body>\n</html>\n");
        return b.toString();
    }

    /**
     * A device's live view ({@code /view/NAME}): with a VNC WebSocket ({@link WebServer.LiveView#url()}),
     * a {@code #screen} element that {@code view.js} (a module importing noVNC's RFB from
     * {@code /novnc/core/rfb.js}) connects to it, view-only as {@code data-view-only} says; else
     * the still image (the snapshot, refreshed by {@code console.js} about once a second), why in
     * one line, and for a controller on a loopback console an Open live view form (POST
     * {@code /live}, CSRF token as the other forms). {@code error}: a refused Open live view.
     */
    static String view(Map<String, Object> device, WebServer.LiveView v, String token, String error) {
        String name = str(device.get("name"));
        boolean live = v.url() != null;
        StringBuilder b = new StringBuilder(2048);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Scanout: ").append(esc(name)).append("</title>\n")
                .append("<link rel=\"stylesheet\" href=\"/console.css\">\n")
                .append(live ? "<script type=\"module\" src=\"/view.js\"></script>\n"
                        : "<script src=\"/console.js\" defer></script>\n")
                .append("</head>\n<body>\n<header>\n<h1>").append(esc(name)).append("</h1>\n<p><a href=\"/\">All devices</a>")
                .append(" &middot; ").append(esc(str(device.get("spec")))).append(" &middot; mode <span class=\"mode\">")
                .append(esc(str(device.get("mode")).isEmpty() ? "none" : str(device.get("mode")))).append("</span></p>\n")
                .append("</header>\n<main class=\"view\" data-device=\"").append(esc(name)).append("\">\n");
        if (!error.isEmpty()) {
            b.append("<p class=\"error\" role=\"alert\">").append(esc(error)).append("</p>\n");
        }
        if (live) {
            b.append("<p id=\"view-status\" role=\"status\">Connecting to ").append(esc(v.url())).append(" with noVNC")
                    .append(v.viewOnly() ? " (view only)" : "").append("</p>\n")
                    .append("<div id=\"screen\" data-url=\"").append(esc(v.url())).append("\" data-view-only=\"")
                    .append(v.viewOnly()).append("\" aria-label=\"The live screen of ").append(esc(name)).append("\"></div>\n");
        } else {
            b.append("<p id=\"view-why\" role=\"status\">Still image, refreshed about once a second: ")
                    .append(esc(v.why())).append("</p>\n");
            if (v.canOpen()) {
                b.append("<form class=\"live\" method=\"post\" action=\"/live\">");
                hidden(b, WebServer.TOKEN_FIELD, token);
                hidden(b, "device", name);
                b.append("<button type=\"submit\">Open live view</button></form>\n");
            }
            b.append("<div class=\"still\"><img class=\"thumb still\" src=\"/api/devices/").append(esc(pathSegment(name)))
                    .append("/snapshot.png\" alt=\"The screen of ").append(esc(name)).append("\">\n")
                    .append("<p class=\"why\" role=\"status\"></p></div>\n");
        }
        b.append("</main>\n</body>\n</html>\n");
        return b.toString();
    }

    private static void sinks(StringBuilder b, String device, List<?> sinks, String token) {
        b.append("<h3>Sinks</h3>\n<ul class=\"sink-list\">\n");
        int n = 0;
        for (Object o : sinks) {
            Map<String, Object> k = WebServer.asMap(o);
            if (!str(k.get("device")).equals(device)) {
                continue;
            }
            n++;
            String name = str(k.get("name"));
            String origin = str(k.get("origin"));
            b.append("<li class=\"sink\" data-sink=\"").append(esc(name)).append("\"><span class=\"sink-name\">")
                    .append(esc(name)).append("</span> (").append(esc(origin)).append("): received ")
                    .append(esc(str(k.get("received")))).append(", wrote ").append(esc(str(k.get("written"))))
                    .append(", dropped ").append(esc(str(k.get("dropped")))).append(", errors ")
                    .append(esc(str(k.get("errors"))));
            if (token == null) {
                // a viewer's page: no form
            } else if (origin.equals("ctl")) {
                b.append("\n<form class=\"detach\" method=\"post\" action=\"/detach\">");
                hidden(b, WebServer.TOKEN_FIELD, token);
                hidden(b, "name", name);
                b.append("<button type=\"submit\">Detach ").append(esc(name)).append("</button></form>");
            } else {
                b.append(" <span class=\"fixed\">").append(origin.equals("command line")
                        ? "given with --sink: it stays until the instance stops"
                        : "from a configuration in conf/: remove its file there to detach it").append("</span>");
            }
            b.append("</li>\n");
        }
        if (n == 0) {
            b.append("<li class=\"none\">none</li>\n");
        }
        b.append("</ul>\n");
    }

    private static void attachForm(StringBuilder b, String id, String device, Map<String, Object> type, String token,
            Form failed) {
        String typeName = str(type.get("type"));
        List<String> keyNames = new java.util.ArrayList<>();
        for (Object k : WebServer.list(type.get("keys"))) {
            keyNames.add(str(WebServer.asMap(k).get("name")));
        }
        String field = failed.message().isEmpty() ? "" : fieldOf(failed.message(), keyNames);
        b.append("<details class=\"attach\"").append(failed.message().isEmpty() ? "" : " open").append(">\n<summary>Attach a ")
                .append(esc(typeName)).append(" sink</summary>\n<form class=\"attach\" method=\"post\" action=\"/attach\"");
        if (!failed.message().isEmpty() && field.isEmpty()) {
            b.append(" aria-describedby=\"").append(id).append("-error\"");
        }
        b.append(">\n");
        hidden(b, WebServer.TOKEN_FIELD, token);
        hidden(b, "device", device);
        hidden(b, "type", typeName);
        b.append('\n');
        if (!failed.message().isEmpty() && field.isEmpty()) {
            b.append("<p class=\"error\" id=\"").append(id).append("-error\" role=\"alert\">").append(esc(failed.message()))
                    .append("</p>\n");
        }
        for (Object o : WebServer.list(type.get("keys"))) {
            Map<String, Object> k = WebServer.asMap(o);
            String key = str(k.get("name"));
            if (key.equals("device")) {
                continue; // the form's device
            }
            String kid = id + "-" + WebServer.safeChars(key, "-", Integer.MAX_VALUE);
            boolean invalid = key.equals(field);
            Object def = k.get("default");
            String help = str(k.get("description")) + (def == null || str(def).isEmpty() ? "" : " (default " + def + ")")
                    + (Boolean.TRUE.equals(k.get("required")) && def == null ? " (required)" : "");
            String value = failed.values().getOrDefault(key, "");
            b.append("<p class=\"field\"><label for=\"").append(kid).append("\">").append(esc(key)).append("</label> ");
            List<?> options = WebServer.list(k.get("options"));
            String keyType = str(k.get("type"));
            if (keyType.equals("boolean")) {
                options = List.of("true", "false");
            }
            String describedBy = kid + "-help" + (invalid ? " " + kid + "-error" : "");
            String common = " id=\"" + kid + "\" name=\"" + WebServer.KEY_FIELD + esc(key) + "\" aria-describedby=\""
                    + describedBy + "\"" + (invalid ? " aria-invalid=\"true\"" : "");
            if (!options.isEmpty() && (keyType.equals("string") || keyType.equals("boolean"))) {
                // one of the options only: a choice
                b.append("<select").append(common).append("><option value=\"\">(default)</option>");
                for (Object opt : options) {
                    String v = str(opt);
                    b.append("<option").append(v.equals(value) ? " selected" : "").append('>').append(esc(v)).append("</option>");
                }
                b.append("</select>");
            } else {
                // free text; a number's named values (auto) as suggestions
                b.append("<input").append(common).append(" value=\"").append(esc(value)).append('"')
                        .append(options.isEmpty() ? "" : " list=\"" + kid + "-options\"").append('>');
                if (!options.isEmpty()) {
                    b.append("<datalist id=\"").append(kid).append("-options\">");
                    for (Object opt : options) {
                        b.append("<option value=\"").append(esc(str(opt))).append("\"></option>");
                    }
                    b.append("</datalist>");
                }
            }
            b.append("\n<span class=\"help\" id=\"").append(kid).append("-help\">").append(esc(help)).append("</span>");
            if (invalid) {
                b.append("\n<span class=\"error\" id=\"").append(kid).append("-error\" role=\"alert\">")
                        .append(esc(failed.message())).append("</span>");
            }
            b.append("</p>\n");
        }
        b.append("<button type=\"submit\">Attach a ").append(esc(typeName)).append(" sink to ").append(esc(device))
                .append("</button>\n</form>\n</details>\n");
    }

    /**
     * The key an error of {@code scanout ctl attach} names, one of {@code keys}: {@code unknown key
     * 'K'}, or after the message's {@code attach TYPE DEVICE: } a text that starts with the key
     * ({@code path = '' is refused...}, {@code path is missing...}, {@code 'path' is given
     * twice}, {@code path: ...}); empty when it names none.
     */
    static String fieldOf(String message, List<String> keys) {
        var unknown = java.util.regex.Pattern.compile("unknown key '([^']*)'").matcher(message);
        if (unknown.find()) {
            return keys.contains(unknown.group(1)) ? unknown.group(1) : "";
        }
        int colon = message.indexOf(": ");
        String rest = colon < 0 ? message : message.substring(colon + 2);
        String best = "";
        for (String k : keys) {
            if (k.length() > best.length() && (rest.startsWith(k + " ") || rest.startsWith(k + ":")
                    || rest.startsWith("'" + k + "'"))) {
                best = k;
            }
        }
        return best;
    }

    private static void hidden(StringBuilder b, String name, String value) {
        b.append("<input type=\"hidden\" name=\"").append(esc(name)).append("\" value=\"").append(esc(value)).append("\">");
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
