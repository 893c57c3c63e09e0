#!/usr/bin/python3
"""A fake QEMU 8+ with shared-memory scanouts for QemuSharedMemoryPeerTest, written for Scanout's tests.

GLib's GDBus (the library QEMU's D-Bus display is built on) serves a peer-to-peer D-Bus connection
at the unix socket path given as argv[1] (server and EXTERNAL authenticator, as QEMU is) and does
what QEMU 8's listener does before it shares memory: it loads the listener's properties with
org.freedesktop.DBus.Properties.GetAll (as a GDBus proxy does when it is made) and looks for
org.qemu.Display1.Listener.Unix.Map in Interfaces. Then it calls that interface's ScanoutMap(huuuuu)
with a memfd, not sealed, as QEMU 10 sends it (32 x 16 XRGB8888, stride 160, the picture 4096
bytes into the file: pixel (x, y) is (x * 7 + y * 131 + 9 * 977) & 0xFFFFFF), changes a 4 x 5
block at (2, 3) in the memfd to 0x00ABCDEF and calls UpdateMap(2, 3, 4, 5), then ScanoutMap with
an offset past the picture's end (the memfd does not hold it).

Lines on stdout: "interfaces A,B", "signature ScanoutMap(...)", "signature UpdateMap(...)", then
"NAME ok" or "NAME error: ..." per call, "done" after the last. Then it waits until stdin closes.
"""
import os
import struct
import sys
import threading

import gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

WIDTH, HEIGHT, STRIDE, OFFSET, SEED = 32, 16, 160, 4096, 9
X8R8G8B8 = 0x20020888
PATH = "/org/qemu/Display1/Listener"
LISTENER, MAP = "org.qemu.Display1.Listener", "org.qemu.Display1.Listener.Unix.Map"


def picture():
    fd = os.memfd_create("fake-qemu-map", os.MFD_ALLOW_SEALING)
    rows = []
    for y in range(HEIGHT):
        row = b"".join(struct.pack("<I", (x * 7 + y * 131 + SEED * 977) & 0xFFFFFF) for x in range(WIDTH))
        rows.append(row + b"\x5a" * (STRIDE - WIDTH * 4))
    os.write(fd, b"\x00" * OFFSET + b"".join(rows))
    return fd


def call(conn, iface, method, signature, args, fd=None):
    fds = None
    if fd is not None:
        fds = Gio.UnixFDList.new()
        fds.append(fd)
    try:
        conn.call_with_unix_fd_list_sync(None, PATH, iface, method, GLib.Variant(signature, args), None,
                                         Gio.DBusCallFlags.NONE, 60000, fds, None)
        print(method, "ok", flush=True)
    except GLib.Error as e:
        print(method, "error:", e.message, flush=True)


def talk(conn):
    props = conn.call_sync(None, PATH, "org.freedesktop.DBus.Properties", "GetAll", GLib.Variant("(s)", (LISTENER,)),
                           GLib.VariantType.new("(a{sv})"), Gio.DBusCallFlags.NONE, 60000, None).unpack()[0]
    interfaces = props.get("Interfaces", [])
    print("interfaces", ",".join(interfaces), flush=True)
    reply = conn.call_sync(None, PATH, "org.freedesktop.DBus.Introspectable", "Introspect", None,
                           GLib.VariantType.new("(s)"), Gio.DBusCallFlags.NONE, 60000, None)
    iface = Gio.DBusNodeInfo.new_for_xml(reply.unpack()[0]).lookup_interface(MAP)
    for m in ("ScanoutMap", "UpdateMap"):
        method = iface.lookup_method(m) if iface else None
        sig = "".join(a.signature for a in method.in_args) if method else "missing"
        print("signature", m + "(" + sig + ")", flush=True)
    if MAP not in interfaces:
        print("done", flush=True)
        return
    fd = picture()
    call(conn, MAP, "ScanoutMap", "(huuuuu)", (0, OFFSET, WIDTH, HEIGHT, STRIDE, X8R8G8B8), fd)
    for y in range(3, 8):
        os.pwrite(fd, struct.pack("<I", 0x00ABCDEF) * 4, OFFSET + y * STRIDE + 2 * 4)
    call(conn, MAP, "UpdateMap", "(iiii)", (2, 3, 4, 5))
    call(conn, MAP, "ScanoutMap", "(huuuuu)", (0, OFFSET + 4096, WIDTH, HEIGHT, STRIDE, X8R8G8B8), fd)
    os.close(fd)
    print("done", flush=True)


def main():
    loop = GLib.MainLoop()
    connections = []
    server = Gio.DBusServer.new_sync("unix:path=" + sys.argv[1], Gio.DBusServerFlags.NONE,
                                     Gio.dbus_generate_guid(), None, None)

    def new_connection(_server, conn):
        connections.append(conn)
        threading.Thread(target=talk, args=(conn,), daemon=True).start()
        return True

    server.connect("new-connection", new_connection)
    server.start()
    print("listening", flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), GLib.idle_add(loop.quit)), daemon=True).start()
    loop.run()


if __name__ == "__main__":
    main()
