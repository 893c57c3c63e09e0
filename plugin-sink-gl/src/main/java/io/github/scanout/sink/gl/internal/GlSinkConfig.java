package io.github.scanout.sink.gl.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The keys of one GL sink's configuration (factory PID {@code io.github.scanout.sink.gl}): their
 * types, ranges and defaults. bnd turns this into the bundle's metatype, which the component,
 * the launcher's {@code --sink gl:...} check and the shell's {@code scanout:attach} read with the
 * configuration toolkit; SCR never hands this type to the component. Keys with a dot are spelt
 * with an underscore here ({@code edid_resize} is {@code edid.resize}).
 */
@ObjectClassDefinition(name = "Scanout GL sink", description = "Shows a device in a window, or renders it headless with EGL.")
@interface GlSinkConfig {

    @AttributeDefinition(description = "The device name this sink shows (the pipeline attaches sinks whose device"
            + " property equals its name).")
    String device();

    @AttributeDefinition(description = "window (GLFW) or headless (EGL into an FBO)",
            options = {@Option(value = "window"), @Option(value = "headless")})
    String mode() default "window";

    @AttributeDefinition(description = "aspect (letterboxed), fit (stretched) or native (1:1, centred)",
            options = {@Option(value = "aspect"), @Option(value = "fit"), @Option(value = "native")})
    String scale() default "aspect";

    @AttributeDefinition(description = "Swap buffers with the display's refresh (windows).")
    boolean vsync() default true;

    @AttributeDefinition(description = "Window title; device, size and frames per second are appended.")
    String title() default "";

    @AttributeDefinition(min = "0", max = "16384", description = "Initial window width (0: 1024, then the first frame's); headless output width"
            + " (0: the frame's).")
    int width() default 0;

    @AttributeDefinition(min = "0", max = "16384", description = "Initial window height; headless output height (0: the frame's).")
    int height() default 0;

    @AttributeDefinition(description = "Ask the device for the window's size through its EDID region (debounced 1 s).")
    boolean edid_resize() default false;

    @AttributeDefinition(min = "0", max = "1000", description = "Highest rate drawn and asked of the pipeline, up to"
            + " 1000; 0 for no limit.")
    double max_fps() default 0;

    @AttributeDefinition(options = {@Option(value = "top-left"), @Option(value = "pointer")},
            description = "What cursor positions name: top-left (the image's corner, the api's meaning)"
            + " or pointer (the hotspot is subtracted).")
    String cursor_position() default "top-left";

    @AttributeDefinition(description = "Import dma-bufs into EGL when the context can (zero copy); false always uploads.")
    boolean zero_copy() default true;

    @AttributeDefinition(options = {@Option(value = "auto"), @Option(value = "surfaceless"), @Option(value = "device")},
            description = "Headless EGL platform: auto, surfaceless or device.")
    String egl_platform() default "auto";

    @AttributeDefinition(options = {@Option(value = "auto"), @Option(value = "native"), @Option(value = "egl")},
            description = "Window context API: auto (EGL when it can import dma-bufs, else native),"
            + " native (GLX) or egl.")
    String window_api() default "auto";
}
