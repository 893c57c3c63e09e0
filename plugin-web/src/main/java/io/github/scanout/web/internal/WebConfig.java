package io.github.scanout.web.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of the web console (PID {@value WebComponent#PID}, one console:
 * {@code conf/io.github.scanout.web.cfg}, or {@code scanout run --web}).
 */
@ObjectClassDefinition(
        name = "Scanout web console",
        description = "Serves every device of the instance on one page at http://LISTEN/ (https:// with tls.cert),"
                + " and the read-only JSON of scanout ctl --json at /api/devices and /api/sinks.")
public @interface WebConfig {

    @AttributeDefinition(description = "Where to listen: HOST:PORT, [IPv6]:PORT or PORT (on 127.0.0.1). An address"
            + " other than loopback needs tls.cert, tls.key and htpasswd.file. Port 0 picks a free one (the log says"
            + " which).")
    String listen() default WebComponent.DEFAULT_LISTEN;

    @AttributeDefinition(name = "tls.cert", description = "PEM certificate (then any intermediates) for https. With"
            + " tls.key. Empty: plain http (loopback only).")
    String tls_cert() default "";

    @AttributeDefinition(name = "tls.key", description = "PEM private key of tls.cert, unencrypted PKCS#8 ('BEGIN"
            + " PRIVATE KEY').")
    String tls_key() default "";

    @AttributeDefinition(name = "htpasswd.file", description = "The users: an htpasswd file of bcrypt entries"
            + " (htpasswd -B). Asked with HTTP Basic over https only. Empty: no login (loopback only; the local user"
            + " may view and control).")
    String htpasswd_file() default "";

    @AttributeDefinition(description = "Users of htpasswd.file who may view (the page, the pictures, the JSON),"
            + " comma-separated; * for every user of the file.")
    String viewers() default "*";

    @AttributeDefinition(description = "Users of htpasswd.file who may also control (attach and detach),"
            + " comma-separated; * for every user of the file; empty: nobody.")
    String controllers() default "";

    @AttributeDefinition(description = "Where Debian's novnc package put noVNC: its core/ modules are served under"
            + " /novnc/ for the live view. Without core/rfb.js there, the live view is the still image.")
    String novnc() default WebServer.DEFAULT_NOVNC;
}
