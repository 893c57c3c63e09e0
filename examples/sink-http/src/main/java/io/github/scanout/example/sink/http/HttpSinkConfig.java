package io.github.scanout.example.sink.http;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The keys of one HTTP sink's configuration: a factory configuration of PID {@value HttpSink#PID}
 * ({@code conf/io.github.scanout.sink.http-NAME.cfg}), one server per configuration.
 *
 * <p>The sink does not read this interface: bnd turns it into the bundle's OSGi metatype, and
 * the sink, the launcher ({@code --sink http:...}) and the shell ({@code scanout:attach http ...})
 * read its keys and rules from there with Scanout's configuration toolkit
 * ({@link io.github.scanout.api.support.ConfigKey#fromMetatype}). Keys are dotted lower case: a
 * method {@code max_fps} is the key {@code max.fps}.
 */
@ObjectClassDefinition(name = "Scanout HTTP sink (example)",
        description = "Serves a device's latest frame on 127.0.0.1: / (a page), /frame.png, /stream.mjpeg.")
public @interface HttpSinkConfig {

    @AttributeDefinition(description = "Name of the device whose frames to serve, as the device is configured.")
    String device();

    @AttributeDefinition(type = AttributeType.INTEGER, min = "0", max = "65535",
            description = "TCP port on 127.0.0.1, 1 to 65535 (0: any free port, logged).")
    int port() default 8080;

    @AttributeDefinition(type = AttributeType.DOUBLE, min = "0", max = "60",
            description = "Most frames per second taken from the device, above 0 and at most 60.")
    double max_fps() default 10;
}
