package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.support.Reporter;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code qemu-dbus} scheme: {@code --device qemu-dbus:qmp:/path/to/qmp.sock?console=N}
 * reads console N of a running QEMU started with {@code -display dbus,p2p=yes}, and
 * {@code qemu-dbus:bus:ADDRESS?console=N} one started with {@code -display dbus,addr=ADDRESS}
 * (docs/qemu-dbus.md); core's {@code libvirt:DOMAIN} asks it for the bus form. The same spec gives the same endpoint while this provider lives.
 * Registered as a Declarative Services component and in {@code META-INF/services}.
 *
 * <p>Threads: {@link #resolve} may be called from any thread.
 */
@Component(service = DeviceProvider.class, property = "scanout.scheme=qemu-dbus")
public final class QemuDbusDeviceProvider implements DeviceProvider {
    /** Where refused QEMU messages are reported. */
    static final String LOGGER = "io.github.scanout.source.qemudbus";

    private final Map<String, QemuDbusEndpoint> endpoints = new ConcurrentHashMap<>();
    private final Reporter reporter;

    /** For ServiceLoader and DS: reports to {@code System.Logger} {@value #LOGGER}. */
    public QemuDbusDeviceProvider() {
        this(Reporter.system(LOGGER));
    }

    /** Reports refused messages of QEMU to {@code reporter} (tests). */
    QemuDbusDeviceProvider(Reporter reporter) {
        this.reporter = Objects.requireNonNull(reporter, "reporter");
    }

    /**
     * The launcher's check of a spec before the framework starts ({@code Scanout-Spec-Check} in
     * this bundle's manifest): opens nothing.
     *
     * @param spec a {@code qemu-dbus:} spec
     * @return null for a spec of the right form, else the one line that says what is wrong
     */
    public static String check(String spec) {
        try {
            QemuDbusSpec.parse(spec);
            return null;
        } catch (DeviceException e) {
            return e.getMessage();
        }
    }

    @Override
    public String scheme() {
        return QemuDbusSpec.SCHEME;
    }

    @Override
    public DeviceEndpoint resolve(String spec) throws DeviceException {
        QemuDbusEndpoint known = endpoints.get(spec);
        if (known != null) {
            return known;
        }
        QemuDbusEndpoint created = new QemuDbusEndpoint(spec, QemuDbusSpec.parse(spec), reporter);
        QemuDbusEndpoint raced = endpoints.putIfAbsent(spec, created);
        return raced != null ? raced : created;
    }
}
