package io.github.scanout.source.qemudbus.internal;

import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.DBusProperty;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;

/**
 * QEMU's {@code org.qemu.Display1.Listener}, which Scanout exports at
 * {@value #PATH} on the connection it registered with {@link Display1Console#RegisterListener}:
 * the methods QEMU 7.2 calls (docs/qemu-dbus.md, fact 6; the two dma-buf ones only with
 * {@code -display dbus,gl=on}, signatures from QEMU 7.2's {@code ui/dbus-display1.xml}). QEMU sends them
 * with {@code NO_REPLY_EXPECTED}. Every argument is a device answer: hostile until checked (the
 * checks come with the plane source). Public because dbus-java dispatches to it.
 */
@DBusInterfaceName("org.qemu.Display1.Listener")
@DBusProperty(name = "Interfaces", type = String[].class, access = DBusProperty.Access.READ)
@SuppressWarnings("checkstyle:MethodName") // D-Bus method names
public interface Display1Listener extends DBusInterface {

    /** Where QEMU calls the listener. */
    String PATH = "/org/qemu/Display1/Listener";

    /**
     * The extra interfaces the listener's {@code Interfaces} property lists (read by QEMU 8.0 and
     * later through {@code org.freedesktop.DBus.Properties}): shared-memory scanouts.
     */
    String[] INTERFACES = {Display1ListenerMap.NAME};

    /** A new scanout: its size, stride, pixman format and all its bytes. */
    void Scanout(UInt32 width, UInt32 height, UInt32 stride, UInt32 pixmanFormat, byte[] data);

    /** A damaged rectangle and its bytes. */
    void Update(int x, int y, int width, int height, UInt32 stride, UInt32 pixmanFormat, byte[] data);

    /**
     * {@code ScanoutDMABUF(huuuutb)}: a new scanout in a dma-buf: the fd (received with the
     * message, owned by the receiver), size, stride, DRM fourcc, DRM modifier, and whether row 0
     * is the top.
     */
    void ScanoutDMABUF(FileDescriptor dmabuf, UInt32 width, UInt32 height, UInt32 stride, UInt32 fourcc,
        UInt64 modifier, boolean y0Top);

    /** {@code UpdateDMABUF(iiii)}: QEMU drew this rectangle of the current dma-buf. */
    void UpdateDMABUF(int x, int y, int width, int height);

    /** The console shows nothing. */
    void Disable();

    /** The pointer's position and whether it is shown. */
    void MouseSet(int x, int y, int on);

    /** A new cursor image and its hot spot. */
    void CursorDefine(int width, int height, int hotX, int hotY, byte[] data);

    @Override
    default String getObjectPath() {
        return PATH;
    }
}
