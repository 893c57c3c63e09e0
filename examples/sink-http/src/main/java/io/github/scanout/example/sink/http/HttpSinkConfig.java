package io.github.scanout.example.sink.http;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of one HTTP sink: a factory configuration of PID {@value HttpSink#PID}
 * ({@code conf/io.github.scanout.sink.http-NAME.cfg}), one server per configuration.
 */
@ObjectClassDefinition(name = "Scanout HTTP sink (example)",
        description = "Serves a device's latest frame on 127.0.0.1: / (a page), /frame.png, /stream.mjpeg.")
public @interface HttpSinkConfig {

    @AttributeDefinition(description = "Name of the device whose frames to serve, as the device is configured.")
    String device();

    @AttributeDefinition(description = "TCP port on 127.0.0.1, 1 to 65535 (0: any free port, logged).")
    int port() default 8080;

    @AttributeDefinition(description = "Most frames per second taken from the device, above 0 and at most 60.")
    double maxFps() default 10;
}
