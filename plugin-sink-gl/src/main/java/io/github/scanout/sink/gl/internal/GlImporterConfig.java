package io.github.scanout.sink.gl.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** The headless GL importer (PID {@code io.github.scanout.importer.gl}; optional: on without one). */
@ObjectClassDefinition(name = "Scanout GL importer", description = "Imports dma-bufs the CPU cannot map into headless"
        + " EGL and reads them back, for CPU sinks.")
@interface GlImporterConfig {

    @AttributeDefinition(description = "false makes the importer decline every buffer (it stays registered).")
    boolean enabled() default true;

    @AttributeDefinition(options = {@Option(value = "auto"), @Option(value = "surfaceless"), @Option(value = "device")},
            description = "Headless EGL platform: auto, surfaceless or device.")
    String egl_platform() default "auto";

    @AttributeDefinition(description = "Order among importers, highest first.")
    int service_ranking() default 0;
}
