package io.github.scanout.source.dmabuf;

import io.github.scanout.api.source.PlaneSource;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.source.dmabuf.internal.DmaBufPlaneSource;
import io.github.scanout.source.dmabuf.internal.DmaBufSettings;
import java.util.Objects;

/**
 * The dma-buf plane source for code that embeds Scanout without OSGi: the supported way to get
 * one, so an integrator's code touches only exported packages. Inside OSGi the bundle registers
 * the same source as a {@code PlaneSource} service (configuration PID {@value #PID}); on a plain
 * class path {@code ServiceLoader.load(PlaneSource.class)} finds it too.
 *
 * <p>Threads: any.
 */
public final class DmaBufSources {
    /** The configuration PID of the OSGi component. */
    public static final String PID = DmaBufPlaneSource.PID;
    /** The source's {@link PlaneSource#priority()}: preferred over the region source. */
    public static final int PRIORITY = DmaBufPlaneSource.PRIORITY;

    private DmaBufSources() {}

    /** A dma-buf plane source with the default settings, logging to {@code System.Logger} {@value #PID}. */
    public static PlaneSource create() {
        return new DmaBufPlaneSource();
    }

    /** A dma-buf plane source with the default settings, reporting what operators should know to {@code reporter}. */
    public static PlaneSource create(Reporter reporter) {
        return new DmaBufPlaneSource(DmaBufSettings.defaults(), Objects.requireNonNull(reporter, "reporter"),
                System::nanoTime);
    }
}
