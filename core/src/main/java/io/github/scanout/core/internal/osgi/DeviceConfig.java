package io.github.scanout.core.internal.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One device: a factory configuration of PID {@value DeviceComponent#PID}. This annotation is
 * the declaration of the keys, their types, ranges and defaults: bnd turns it into the bundle's
 * metatype, which {@link DeviceSettings} reads with the configuration toolkit
 * ({@link io.github.scanout.api.support.ConfigReader}). The component never receives this type
 * from SCR (whose coercion would throw {@code NumberFormatException} on {@code queue.depth = abc}
 * or quietly turn it into 0): it reads the raw properties, and a malformed value is one line
 * naming the configuration, the key, the value and the rule.
 */
@ObjectClassDefinition(name = "Scanout device",
        description = "A vGPU whose screen Scanout captures; sinks name it in their 'device' property.")
public @interface DeviceConfig {

    @AttributeDefinition(description = "The device: an mdev UUID, its sysfs path /sys/bus/mdev/devices/<uuid>, "
            + "or scheme:... such as sim:mbochs?mode=1024x768.")
    String spec();

    @AttributeDefinition(required = false, description = "The device name sinks name in their 'device' property "
            + "(and Frame.device()); default: the spec.")
    String name() default "";

    @AttributeDefinition(required = false, min = "0.1", max = "1000", description = "Most polls per second (Hz), from 0.1 to 1000. The loop "
            + "polls at the highest rate an attached sink asks for, capped by this; sinks that ask for no rate get it.")
    double rate() default 60;

    @AttributeDefinition(name = "buffer.type", required = false, description = "Force a buffer type (dmabuf, "
            + "region, or a vendor's); empty: the highest-priority plane source whose probe succeeds.")
    String buffer_type() default "";

    @AttributeDefinition(name = "queue.depth", required = false, min = "1", max = "64", description = "Entries each sink's queue holds "
            + "before it drops the oldest, 1 to 64.")
    int queue_depth() default 2;

    @AttributeDefinition(name = "idle.ms", required = false, min = "1", max = "3600000", description = "Longest pause between polls when "
            + "nothing changes and every sink has the current frame, in milliseconds.")
    long idle_ms() default 3000;

    @AttributeDefinition(name = "stall.timeout.ms", required = false, min = "1", max = "3600000", description = "How long one device call may "
            + "block before the device counts as stalled (sinks are told; other devices are unaffected), in ms.")
    long stall_timeout_ms() default 2000;

    @AttributeDefinition(name = "opaque.refresh.ms", required = false, min = "0", max = "3600000", description = "Re-deliver a buffer the CPU "
            + "cannot read whose identity did not change this often (for producers that draw into one buffer, "
            + "like mbochs), in ms; 0: never (such producers then look frozen).")
    long opaque_refresh_ms() default 100;

    @AttributeDefinition(name = "rescan.ms", required = false, min = "0", max = "3600000", description = "How often a device that is gone "
            + "(ENODEV: the mdev was removed) is tried again, quietly, in ms; it says once when the device is back. "
            + "0: never (then only a configuration change opens it again).")
    long rescan_ms() default 5000;

    @AttributeDefinition(name = "sinks.target", required = false, description = "An extra LDAP filter on the sink "
            + "services considered; a sink is attached only if its 'device' property is this device's name.")
    String sinks_target() default "(device=*)";
}
