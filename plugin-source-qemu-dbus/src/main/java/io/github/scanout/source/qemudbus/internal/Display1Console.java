package io.github.scanout.source.qemudbus.internal;

import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * QEMU's {@code org.qemu.Display1.Console} at {@code /org/qemu/Display1/Console_N} (QEMU's
 * {@code ui/dbus-display1.xml}); only the method Scanout calls so far. Public because dbus-java
 * makes its proxies from it.
 */
@DBusInterfaceName("org.qemu.Display1.Console")
public interface Display1Console extends DBusInterface {

    /**
     * Hands QEMU one end of a socket on which QEMU opens a peer D-Bus connection as the server
     * and calls {@link Display1Listener} at {@code /org/qemu/Display1/Listener}.
     */
    @SuppressWarnings("checkstyle:MethodName") // D-Bus method names
    void RegisterListener(FileDescriptor listener);
}
