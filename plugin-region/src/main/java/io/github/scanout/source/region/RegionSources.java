package io.github.scanout.source.region;

import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.source.region.internal.RegionPlaneSource;
import io.github.scanout.source.region.internal.RegionSettings;
import java.util.Objects;

/**
 * The region plane source for code that embeds Scanout without OSGi: the supported way to get
 * one, so an integrator's code touches only exported packages. Inside OSGi the bundle registers
 * the same source as a {@code PlaneSource} service (configuration PID {@value #PID}); on a plain
 * class path {@code ServiceLoader.load(PlaneSource.class)} finds it too.
 *
 * <p>Threads: any.
 */
public final class RegionSources {
    /** The configuration PID of the OSGi component. */
    public static final String PID = RegionPlaneSource.PID;
    /** The source's {@link PlaneSource#priority()}: a device that offers dma-bufs too is read through them. */
    public static final int PRIORITY = RegionPlaneSource.PRIORITY;

    private RegionSources() {}

    /** A region plane source with the default settings, logging to {@code System.Logger} {@value #PID}. */
    public static PlaneSource create() {
        return new RegionPlaneSource();
    }

    /** A region plane source with the default settings, reporting what operators should know to {@code reporter}. */
    public static PlaneSource create(Reporter reporter) {
        return new RegionPlaneSource(RegionSettings.defaults(), Objects.requireNonNull(reporter, "reporter"),
                System::nanoTime);
    }
}
