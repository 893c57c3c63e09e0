/**
 * QEMU's D-Bus display source, in progress (docs/qemu-dbus.md): so far the QMP client
 * ({@link io.github.scanout.source.qemudbus.internal.QmpClient}) that hands QEMU a peer D-Bus
 * connection, and the {@code qemu-dbus:} device
 * ({@link io.github.scanout.source.qemudbus.internal.QemuDbusDeviceProvider}). Not exported.
 */
package io.github.scanout.source.qemudbus.internal;
