/**
 * QEMU's D-Bus display source, in progress (docs/qemu-dbus.md): so far the QMP client
 * ({@link io.github.scanout.source.qemudbus.internal.QmpClient}) that hands QEMU a peer D-Bus
 * connection. Not exported; there is no device yet.
 */
package io.github.scanout.source.qemudbus.internal;
