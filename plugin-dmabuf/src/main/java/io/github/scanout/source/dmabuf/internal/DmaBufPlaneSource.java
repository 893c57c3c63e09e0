package io.github.scanout.source.dmabuf.internal;

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
 * The dma-buf buffer type ({@code VFIO_GFX_PLANE_TYPE_DMABUF}, flag 2) as a plane source:
 * probes with {@code PROBE|DMABUF} and reads the primary and cursor planes as dma-bufs (see
 * {@link DmaBufSession}). Priority 200: preferred over the region source.
 *
 * <p>A Declarative Services component (configuration PID {@value #PID}, optional), and a plain
 * class for embedding: {@code new DmaBufPlaneSource()}.
 *
 * <p>Threads: {@link #probe} and {@link #open} on the pipeline's control thread; sessions on the
 * capture thread.
 */
@Component(service = PlaneSource.class, configurationPid = DmaBufPlaneSource.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DmaBufConfig.class)
public final class DmaBufPlaneSource implements PlaneSource {
    public static final String PID = "io.github.scanout.source.dmabuf";
    public static final int PRIORITY = 200;

    private final DmaBufSettings settings;
    private final Reporter reporter;
    private final LongSupplier nanoClock;

    /** Defaults (5 buffers, 256 MiB), logging to {@code System.Logger} {@value #PID}. */
    public DmaBufPlaneSource() {
        this(DmaBufSettings.defaults());
    }

    /**
     * Declarative Services: the configuration's raw properties, read with the configuration
     * toolkit (a bad value is one line naming the configuration, the key, the value and the rule,
     * and the source does not start).
     */
    @Activate
    public DmaBufPlaneSource(Map<String, Object> properties) {
        this(DmaBufSettings.from(properties));
    }

    public DmaBufPlaneSource(DmaBufSettings settings) {
        this(settings, Reporter.system(PID), System::nanoTime);
    }

    /** Everything explicit (tests inject a reporter and a clock). */
    public DmaBufPlaneSource(DmaBufSettings settings, Reporter reporter, LongSupplier nanoClock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    @Override
    public BufferType bufferType() {
        return BufferType.DMABUF;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    /** {@code QUERY_GFX_PLANE(PROBE | DMABUF)}: true when the device answers 0, false on EINVAL. */
    @Override
    public boolean probe(GfxDevice device) throws DeviceException {
        return device.probe(BufferType.DMABUF);
    }

    @Override
    public PlaneSession open(GfxDevice device) throws DeviceException {
        return new DmaBufSession(device, settings, reporter, nanoClock);
    }

    public DmaBufSettings settings() {
        return settings;
    }

    @Override
    public String toString() {
        return "DmaBufPlaneSource" + settings;
    }
}
