package io.github.scanout.source.region.internal;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.api.support.Reporter;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The region buffer type ({@code VFIO_GFX_PLANE_TYPE_REGION}, flag 4) as a plane source:
 * probes with {@code PROBE|REGION} and reads planes from the device region they name (see
 * {@link RegionSession}). Priority 100: a device that offers dma-bufs too is read through them.
 *
 * <p>A Declarative Services component (configuration PID {@value #PID}, optional), and a plain
 * class for embedding: {@code new RegionPlaneSource()}.
 *
 * <p>Threads: {@link #probe} and {@link #open} on the pipeline's control thread; sessions on the
 * capture thread.
 */
@Component(service = PlaneSource.class, configurationPid = RegionPlaneSource.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = RegionConfig.class)
public final class RegionPlaneSource implements PlaneSource {
    public static final String PID = "io.github.scanout.source.region";
    public static final int PRIORITY = 100;

    private final RegionSettings settings;
    private final Reporter reporter;
    private final LongSupplier nanoClock;

    /** Defaults, logging to {@code System.Logger} {@value #PID}. */
    public RegionPlaneSource() {
        this(RegionSettings.defaults());
    }

    /**
     * Declarative Services: the configuration's raw properties, read with the configuration
     * toolkit (a bad value is one line naming the configuration, the key, the value and the rule,
     * and the source does not start).
     */
    @Activate
    public RegionPlaneSource(Map<String, Object> properties) {
        this(RegionSettings.from(properties));
    }

    public RegionPlaneSource(RegionSettings settings) {
        this(settings, Reporter.system(PID), System::nanoTime);
    }

    /** Everything explicit (tests inject a reporter and a clock). */
    public RegionPlaneSource(RegionSettings settings, Reporter reporter, LongSupplier nanoClock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    @Override
    public BufferType bufferType() {
        return BufferType.REGION;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    /** {@code QUERY_GFX_PLANE(PROBE | REGION)}: true when the device answers 0, false on EINVAL. */
    @Override
    public boolean probe(GfxDevice device) throws DeviceException {
        return device.probe(BufferType.REGION);
    }

    @Override
    public PlaneSession open(GfxDevice device) throws DeviceException {
        return new RegionSession(device, settings, reporter, nanoClock);
    }

    public RegionSettings settings() {
        return settings;
    }

    @Override
    public String toString() {
        return "RegionPlaneSource" + settings;
    }
}
