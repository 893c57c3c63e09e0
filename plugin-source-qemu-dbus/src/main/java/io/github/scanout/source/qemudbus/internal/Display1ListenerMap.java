package io.github.scanout.source.qemudbus.internal;

import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;

/**
 * QEMU's {@code org.qemu.Display1.Listener.Unix.Map} (QEMU 8.0 and later; not in Debian 12's
 * 7.2): scanouts in shared memory instead of inside the messages. QEMU uses it only when the
 * listener lists it in its {@code Interfaces} property ({@link Display1Listener#INTERFACES}).
 * Signatures from QEMU's {@code ui/dbus-display1.xml}: {@code ScanoutMap(huuuuu)},
 * {@code UpdateMap(iiii)}. Every argument is a device answer: hostile until checked
 * ({@link ConsoleSurface#scanoutMap}). Public because dbus-java dispatches to it.
 */
@DBusInterfaceName("org.qemu.Display1.Listener.Unix.Map")
@SuppressWarnings("checkstyle:MethodName") // D-Bus method names
public interface Display1ListenerMap extends DBusInterface {

    /** The interface's D-Bus name, as the listener's {@code Interfaces} property lists it. */
    String NAME = "org.qemu.Display1.Listener.Unix.Map";

    /** A new scanout in QEMU's memfd: the fd, where the picture starts in it, size, stride, pixman format. */
    void ScanoutMap(FileDescriptor handle, UInt32 offset, UInt32 width, UInt32 height, UInt32 stride,
        UInt32 pixmanFormat);

    /** QEMU changed this rectangle of the shared picture. */
    void UpdateMap(int x, int y, int width, int height);

    @Override
    default String getObjectPath() {
        return Display1Listener.PATH;
    }
}
