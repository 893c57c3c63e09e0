package io.github.scanout.api.kernel;

import io.github.scanout.api.DeviceException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Resolves device specs of one scheme ({@code sim:...}) to endpoints. Registered as an OSGi
 * service, or through {@link java.util.ServiceLoader} outside OSGi.
 */
@ConsumerType
public interface DeviceProvider {

    /**
     * The scheme this provider answers.
     *
     * @return the scheme, without the colon: {@code "sim"} answers
     *     {@code sim:mbochs?mode=800x600}
     */
    String scheme();

    /**
     * The endpoint a spec names. The same spec gives the same endpoint while this provider
     * lives, so state that outlives an open (ids, memory) is kept as a kernel keeps it.
     *
     * @param spec the whole spec, scheme included
     * @return the endpoint
     * @throws DeviceException with a message that says what is wrong with the spec
     */
    DeviceEndpoint resolve(String spec) throws DeviceException;
}
