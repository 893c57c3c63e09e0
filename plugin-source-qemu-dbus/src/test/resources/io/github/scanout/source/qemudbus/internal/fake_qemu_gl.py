#!/usr/bin/python3
"""A fake QEMU with -display dbus,gl=on for QemuDmaBufPeerTest, written for Scanout's tests.

GLib's GDBus (the library QEMU's D-Bus display is built on) serves a peer-to-peer D-Bus
connection at the unix socket path given as argv[1], authenticating the client as QEMU does
(server side, EXTERNAL), and calls the client's org.qemu.Display1.Listener the way QEMU 7.2 does
with gl=on: ScanoutDMABUF(huuuutb) with the buffer's fd in the message's unix fd list, then
UpdateDMABUF(iiii). The buffer is a memfd sealed against shrinking (no render node here), 32 x 16 XRGB8888 pixels with a
stride of 160 (32 bytes of padding a row): pixel (x, y) is (x * 7 + y * 131 + seed * 977) & 0xFFFFFF.

First the listener's introspection as GDBus parses it: "signature ScanoutDMABUF(huuuutb)" and
"signature UpdateDMABUF(iiii)". Each call's outcome is one line on stdout ("ScanoutDMABUF ok", or "ScanoutDMABUF error: ...");
"done" after the last. Then it waits until stdin closes.
"""
import fcntl
import os
import struct
import sys
import threading

import gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

WIDTH, HEIGHT, STRIDE, SEED = 32, 16, 160, 9
XR24 = 0x34325258
PATH, IFACE = "/org/qemu/Display1/Listener", "org.qemu.Display1.Listener"


def picture():
    fd = os.memfd_create("fake-qemu-scanout", os.MFD_ALLOW_SEALING)
    rows = []
    for y in range(HEIGHT):
        row = b"".join(struct.pack("<I", (x * 7 + y * 131 + SEED * 977) & 0xFFFFFF) for x in range(WIDTH))
        rows.append(row + b"\x5a" * (STRIDE - WIDTH * 4))
    os.write(fd, b"".join(rows))
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK)  # Scanout maps only memfds that cannot shrink
    return fd


def call(conn, method, signature, args, fd=None):
    fds = None
    if fd is not None:
        fds = Gio.UnixFDList.new()
        fds.append(fd)  # the list holds its own copy, sent as SCM_RIGHTS with the message
    try:
        conn.call_with_unix_fd_list_sync(None, PATH, IFACE, method, GLib.Variant(signature, args), None,
                                         Gio.DBusCallFlags.NONE, 60000, fds, None)
        print(method, "ok", flush=True)
    except GLib.Error as e:
        print(method, "error:", e.message, flush=True)


def introspect(conn):
    """The listener's methods as GDBus reads dbus-java's introspection: "NAME(in-signature)" each."""
    reply = conn.call_sync(None, PATH, "org.freedesktop.DBus.Introspectable", "Introspect", None,
                           GLib.VariantType.new("(s)"), Gio.DBusCallFlags.NONE, 60000, None)
    iface = Gio.DBusNodeInfo.new_for_xml(reply.unpack()[0]).lookup_interface(IFACE)
    for m in ("ScanoutDMABUF", "UpdateDMABUF"):
        method = iface.lookup_method(m) if iface else None
        sig = "".join(a.signature for a in method.in_args) if method else "missing"
        print("signature", m + "(" + sig + ")", flush=True)


def talk(conn):
    introspect(conn)
    fd = picture()
    call(conn, "ScanoutDMABUF", "(huuuutb)", (0, WIDTH, HEIGHT, STRIDE, XR24, 0, True), fd)
    call(conn, "UpdateDMABUF", "(iiii)", (0, 0, WIDTH, HEIGHT))
    call(conn, "ScanoutDMABUF", "(huuuutb)", (0, WIDTH, HEIGHT, STRIDE, XR24, 0, False), fd)  # bottom-up
    os.close(fd)
    print("done", flush=True)


def main():
    loop = GLib.MainLoop()
    connections = []
    server = Gio.DBusServer.new_sync("unix:path=" + sys.argv[1], Gio.DBusServerFlags.NONE,
                                     Gio.dbus_generate_guid(), None, None)

    def new_connection(_server, conn):
        connections.append(conn)  # kept while the loop runs
        threading.Thread(target=talk, args=(conn,), daemon=True).start()
        return True

    server.connect("new-connection", new_connection)
    server.start()
    print("listening", flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), GLib.idle_add(loop.quit)), daemon=True).start()
    loop.run()


if __name__ == "__main__":
    main()
