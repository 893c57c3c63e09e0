package io.github.scanout.web.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of the web console (PID {@value WebComponent#PID}, one console:
 * {@code conf/io.github.scanout.web.cfg}, or {@code scanout run --web}).
 */
@ObjectClassDefinition(
        name = "Scanout web console",
        description = "Serves every device of the instance on one page at http://LISTEN/, and the read-only JSON of"
                + " scanout ctl --json at /api/devices and /api/sinks.")
public @interface WebConfig {

    @AttributeDefinition(description = "Where to listen: HOST:PORT, [IPv6]:PORT or PORT (on 127.0.0.1); a "
            + "loopback address only (this version has no TLS or authentication). Port 0 picks a free one "
            + "(the log says which).")
    String listen() default WebComponent.DEFAULT_LISTEN;
}
