package io.github.scanout.api.source;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A buffer type as a plugin. The pipeline probes every registered source on a device and uses
 * the one with the highest {@link #priority()} whose probe succeeds.
 *
 * <p>Threads: {@link #probe} and {@link #open} are called on the pipeline's control thread.
 */
@ConsumerType
public interface PlaneSource {

    /** {@return the buffer type this source reads} */
    BufferType bufferType();

    /** {@return the priority: higher wins when several sources work on one device (dma-buf is 200, region 100)} */
    default int priority() {
        return 0;
    }

    /**
     * Whether this source can read the device. The default asks the device with
     * {@code PROBE | bufferType().flag()}.
     *
     * @param device the open device; the caller keeps owning it
     * @return true when {@link #open} may be tried
     * @throws DeviceException when the device fails, other than by saying no
     */
    default boolean probe(GfxDevice device) throws DeviceException {
        return device.probe(bufferType());
    }

    /**
     * Starts reading one device; the session is closed before the device is.
     *
     * @param device the open device; the caller keeps owning it
     * @return the session, owned by the caller
     * @throws DeviceException when the device cannot be read this way
     */
    PlaneSession open(GfxDevice device) throws DeviceException;
}
