package io.github.scanout.sim;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code sim} scheme: resolves {@code sim:...} specs (see {@link SimDevices}) to simulated
 * devices, animated unless the spec says {@code animate=false}. The same spec string gives the
 * same device while this provider lives, so driver state that outlives an open (mbochs ids,
 * VRAM, registers) is kept between opens. Registered as a Declarative Services component and in
 * {@code META-INF/services}.
 *
 * <p>Threads: {@link #resolve} may be called from any thread.
 */
@Component(service = DeviceProvider.class, property = "scanout.scheme=sim")
public final class SimDeviceProvider implements DeviceProvider {
    private final Map<String, SimDevice> devices = new ConcurrentHashMap<>();

    /** For ServiceLoader and DS. */
    public SimDeviceProvider() {}

    @Override
    public String scheme() {
        return "sim";
    }

    @Override
    public DeviceEndpoint resolve(String spec) throws DeviceException {
        return device(spec);
    }

    /** {@link #resolve} typed: the device for this spec, created on first use. */
    public SimDevice device(String spec) throws DeviceException {
        SimDevice existing = devices.get(spec);
        if (existing != null) {
            return existing;
        }
        SimDevice created = SimDevices.create(spec, true);
        SimDevice raced = devices.putIfAbsent(spec, created);
        return raced != null ? raced : created;
    }
}
