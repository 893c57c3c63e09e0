package io.github.scanout.source.qemudbus.internal;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;

/**
 * QEMU's {@code org.qemu.Display1.Keyboard} at {@code /org/qemu/Display1/Console_N} (QEMU 7.2's
 * {@code ui/dbus-display1.xml}; checked against QEMU's own introspection by
 * {@code QemuInputTest}). Key numbers are QEMU's: the PC keyboard's scancode set 1 code, with an
 * {@code 0xe0}-prefixed key as {@code 0x80 | code} ({@link QemuKeys}). Public because dbus-java
 * makes its proxies from it.
 */
@DBusInterfaceName("org.qemu.Display1.Keyboard")
public interface Display1Keyboard extends DBusInterface {

    /** Presses the key with this QEMU key number. */
    @SuppressWarnings("checkstyle:MethodName") // D-Bus method names
    void Press(UInt32 keycode);

    /** Releases it. */
    @SuppressWarnings("checkstyle:MethodName")
    void Release(UInt32 keycode);
}
