package io.github.scanout.source.qemudbus.internal;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;

/**
 * QEMU's {@code org.qemu.Display1.Mouse} at {@code /org/qemu/Display1/Console_N} (QEMU 7.2's
 * {@code ui/dbus-display1.xml}; checked against QEMU's own introspection by
 * {@code QemuInputTest}). Buttons are QEMU's {@code InputButton} numbers: 0 left, 1 middle,
 * 2 right, 3 wheel up, 4 wheel down (the same order as the bits of RFB's button mask). Its
 * property {@code IsAbsolute} says whether the guest's current pointing device takes absolute
 * positions ({@link #SetAbsPosition}, a tablet) or only motion ({@link #RelMotion}, a PS/2
 * mouse). Public because dbus-java makes its proxies from it.
 */
@DBusInterfaceName("org.qemu.Display1.Mouse")
public interface Display1Mouse extends DBusInterface {

    /** The D-Bus interface name, for its properties. */
    String NAME = "org.qemu.Display1.Mouse";

    /** Presses a button. */
    @SuppressWarnings("checkstyle:MethodName") // D-Bus method names
    void Press(UInt32 button);

    /** Releases a button. */
    @SuppressWarnings("checkstyle:MethodName")
    void Release(UInt32 button);

    /** Moves the pointer to a position in the console's pixels; QEMU refuses it while the mouse is not absolute. */
    @SuppressWarnings("checkstyle:MethodName")
    void SetAbsPosition(UInt32 x, UInt32 y);

    /** Moves the pointer by a distance (a relative mouse). */
    @SuppressWarnings("checkstyle:MethodName")
    void RelMotion(int dx, int dy);
}
