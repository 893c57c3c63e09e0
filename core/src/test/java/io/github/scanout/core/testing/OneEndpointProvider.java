package io.github.scanout.core.testing;

import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceProvider;

/**
 * A device provider of one scheme whose every spec names the same endpoint: for tests of what
 * an endpoint offers (input, damage) through {@code Devices} and the pipeline.
 *
 * @param scheme the scheme, as in {@code scheme:anything}
 * @param endpoint what every spec of it resolves to
 */
public record OneEndpointProvider(String scheme, DeviceEndpoint endpoint) implements DeviceProvider {
    @Override
    public DeviceEndpoint resolve(String spec) {
        return endpoint;
    }
}
