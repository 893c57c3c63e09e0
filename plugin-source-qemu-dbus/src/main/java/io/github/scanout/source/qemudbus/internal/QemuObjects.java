package io.github.scanout.source.qemudbus.internal;

import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * QEMU's D-Bus objects ({@code /org/qemu/Display1/...}) on a display connection, however it was
 * reached: a peer connection (no destination) or a bus (destination {@code org.qemu}). A method
 * reference to dbus-java's {@code DirectConnection::getRemoteObject} is one.
 */
interface QemuObjects {
    /** The proxy of {@code type} at {@code path}. */
    <T extends DBusInterface> T get(String path, Class<T> type) throws DBusException;
}
