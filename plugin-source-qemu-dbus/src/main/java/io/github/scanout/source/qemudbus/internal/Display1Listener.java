package io.github.scanout.source.qemudbus.internal;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;

/**
 * QEMU's {@code org.qemu.Display1.Listener}, which Scanout exports at
 * {@value #PATH} on the connection it registered with {@link Display1Console#RegisterListener}:
 * the methods QEMU 7.2 calls without the GL path (docs/qemu-dbus.md, fact 6). QEMU sends them
 * with {@code NO_REPLY_EXPECTED}. Every argument is a device answer: hostile until checked (the
 * checks come with the plane source). Public because dbus-java dispatches to it.
 */
@DBusInterfaceName("org.qemu.Display1.Listener")
@SuppressWarnings("checkstyle:MethodName") // D-Bus method names
public interface Display1Listener extends DBusInterface {

    /** Where QEMU calls the listener. */
    String PATH = "/org/qemu/Display1/Listener";

    /** A new scanout: its size, stride, pixman format and all its bytes. */
    void Scanout(UInt32 width, UInt32 height, UInt32 stride, UInt32 pixmanFormat, byte[] data);

    /** A damaged rectangle and its bytes. */
    void Update(int x, int y, int width, int height, UInt32 stride, UInt32 pixmanFormat, byte[] data);

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
