#!/usr/bin/env python3
"""Writes the hand-made seed corpus of every fuzz target (fuzz/run --list) into its
src/test/resources/<package>/<Class>Inputs/<method>/ directory, where `mvn verify` runs each
file as a regression input and fuzz/run starts from them. Each seed is one meaningful device
answer or operator input; the byte layouts are described on each *FuzzTest class.
Run from the repository root: python3 fuzz/seeds.py"""
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def put(module, cls, method, name, data):
    pkg, simple = cls.rsplit('.', 1)
    d = os.path.join(ROOT, module, 'src/test/resources', *pkg.split('.'), simple + 'Inputs', method)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'seed-' + name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def u8(v): return struct.pack('<B', v & 0xff)
def u16(v): return struct.pack('<H', v & 0xffff)
def u32(v): return struct.pack('<I', v & 0xffffffff)
def u64(v): return struct.pack('<Q', v & 0xffffffffffffffff)
def s8(text):
    b = text.encode()
    return u8(len(b)) + b


def fourcc(s): return struct.unpack('<I', s.encode())[0]


XR24, AR24, YUYV, RG16, C8 = fourcc('XR24'), fourcc('AR24'), fourcc('YUYV'), fourcc('RG16'), fourcc('C8  ')
X_TILED, Y_TILED = 0x0100000000000001, 0x0100000000000002
NONE = 0xffffffff

# ---- core: plane info ----------------------------------------------------------------------
PLANE = ('core', 'io.github.scanout.core.internal.vfio.PlaneInfoFuzzTest', 'decodeAndValidate')
DMABUF_PRIMARY, REGION_PRIMARY, DMABUF_CURSOR, NAMED, EXACT = 2, 3, 4, 8, 16


def plane(flags, ptype, fmt, mod, w, h, stride, size, x=0, y=0, xh=0, yh=0, bid=0):
    return (u32(64) + u32(flags) + u32(ptype) + u32(fmt) + u64(mod) + u32(w) + u32(h) + u32(stride) + u32(size)
            + u32(x) + u32(y) + u32(xh) + u32(yh) + u32(bid) + u32(0))


put(*PLANE, 'mbochs-1024x768', u8(DMABUF_PRIMARY) + plane(2, 1, XR24, 0, 1024, 768, 4096, 4096 * 768, bid=1))
put(*PLANE, 'mdpy-region-16', u8(REGION_PRIMARY | NAMED) + plane(4, 1, XR24, 0, 1024, 768, 4096, 4096 * 768, bid=16))
put(*PLANE, 'gvt-x-tiled', u8(DMABUF_PRIMARY) + plane(2, 1, XR24, X_TILED, 1000, 750, 4096, 4096 * 752, bid=7))
put(*PLANE, 'gvt-y-tiled', u8(DMABUF_PRIMARY) + plane(2, 1, XR24, Y_TILED, 1024, 768, 4096, 4096 * 768, bid=7))
put(*PLANE, 'cursor-hotspot', u8(DMABUF_CURSOR | NAMED)
    + plane(2, 2, AR24, 0, 64, 64, 256, 256 * 64, x=-5, y=700, xh=3, yh=4, bid=9))
put(*PLANE, 'cursor-no-hotspot', u8(DMABUF_CURSOR) + plane(2, 2, AR24, 0, 64, 64, 256, 256 * 64, xh=NONE, yh=NONE))
put(*PLANE, 'disabled', u8(DMABUF_PRIMARY) + plane(2, 1, 0, 0, 0, 0, 0, 0))
put(*PLANE, 'yuyv-odd-width', u8(DMABUF_PRIMARY) + plane(2, 1, YUYV, 0, 101, 50, 204, 204 * 49 + 204, bid=2))
put(*PLANE, 'rgb565-region', u8(REGION_PRIMARY) + plane(4, 1, RG16, 0, 640, 480, 1280, 1280 * 480, bid=0))
put(*PLANE, 'palette-c8', u8(DMABUF_PRIMARY) + plane(2, 1, C8, 0, 640, 480, 640, 640 * 480))
put(*PLANE, 'wraps-in-32-bits', u8(REGION_PRIMARY) + plane(4, 1, XR24, 0, 16384, 4097, 1 << 20, 65536, bid=16))
put(*PLANE, 'short-answer', u8(DMABUF_PRIMARY | EXACT) + plane(2, 1, XR24, 0, 64, 64, 256, 16384)[:40])

# ---- core: region info -------------------------------------------------------------------
REGION = ('core', 'io.github.scanout.core.internal.vfio.RegionInfoFuzzTest', 'query')


def rinfo(argsz, flags, index, cap, size, offset):
    return u32(argsz) + u32(flags) + u32(index) + u32(cap) + u64(size) + u64(offset)


def answer(b): return u8(0) + u16(len(b)) + b


put(*REGION, 'mdpy-region-0', u8(0) + answer(rinfo(32, 7, 0, 0, 4 << 20, 0)))
edid_type = u16(2) + u16(1) + u32(0) + u32(0x80000000 | 0x1af4) + u32(1)
put(*REGION, 'edid-raises-argsz', u8(9) + answer(rinfo(48, 11, 9, 32, 0x200, 9 << 40))
    + answer(rinfo(48, 11, 9, 32, 0x200, 9 << 40) + edid_type))
sparse = u16(1) + u16(1) + u32(0) + u32(2) + u32(0) + u64(0) + u64(0x1000) + u64(0x2000) + u64(0x1000)
put(*REGION, 'sparse-then-type', u8(2) + answer(rinfo(32, 15, 2, 32, 0x10000, 2 << 40))
    + answer(rinfo(112, 15, 2, 32, 0x10000, 2 << 40)) + answer(rinfo(112, 15, 2, 32, 0x10000, 2 << 40)
    + sparse[:4] + u32(80) + sparse[8:] + u16(2) + u16(1) + u32(0) + u32(3) + u32(1) + bytes(16)))
put(*REGION, 'chain-loops', u8(1) + answer(rinfo(48, 8, 1, 32, 0x1000, 0) + u16(3) + u16(1) + u32(32) + bytes(8)))
put(*REGION, 'errno-einval', u8(20) + u8(0x80 | 22))
put(*REGION, 'index-ffffffff', u8(255) + answer(rinfo(32, 1, 0xffffffff, 0, 0, 0)))

# ---- core: device configuration ----------------------------------------------------------
CONFIG = ('core', 'io.github.scanout.core.internal.osgi.DeviceConfigFuzzTest', 'parse')


def config(*values):
    return b''.join(u8(255) if v is None else s8(v) for v in values)


put(*CONFIG, 'defaults', config('sim:mbochs?mode=1280x800&mmap=allow', '', '60', '', '2', '3000', '2000', '100', '(device=*)'))
put(*CONFIG, 'named-region', config(' sim:mdpy-xga ', 'desk', '0.5', 'Region', '64', '1', '3600000', '0', ''))
put(*CONFIG, 'nulls', config('83b8f4f2-509f-382f-3c1e-e6bfe0fa1001', None, None, None, None, None, None, None, None))
put(*CONFIG, 'bad-rate', config('sim:gvt', 'x', 'NaN', '', '2', '3000', '2000', '100', ''))
put(*CONFIG, 'bad-depth', config('sim:gvt', 'x', '1e3', '', '65', '3000', '2000', '100', ''))

# ---- core: device specs ------------------------------------------------------------------
SPEC = ('core', 'io.github.scanout.core.DeviceSpecFuzzTest', 'open')
for name, text in [('mbochs-small', 'sim:mbochs?mode=800x600&type=small'), ('gvt-y', 'sim:gvt?tiling=y&mmap=allow'),
                   ('mdpy-vga', ' sim:mdpy-vga'), ('uuid', '83b8f4f2-509f-382f-3c1e-e6bfe0fa1001'),
                   ('sysfs', '/sys/bus/mdev/devices/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001'),
                   ('unknown-scheme', 'nope:x'), ('twice', 'sim:mbochs?mode=1024x768&mode=800x600'),
                   ('gvt-format', 'sim:gvt?format=AR24&mode=640x480&animate=false')]:
    put(*SPEC, name, text)

# ---- sim: DISPI registers ----------------------------------------------------------------
DISPI = ('sim', 'io.github.scanout.sim.DispiFuzzTest', 'registers')
SETMODE, PAN, VIRT, QUERY, EDID, DRAW, WRITE, READ = 4, 5, 6, 7, 9, 10, 0, 2


def setmode(w, h): return u8(SETMODE) + u16(w) + u16(h) + u8(0) + u8(0)


put(*DISPI, 'mode-then-query', u8(0) + setmode(800, 600) + u8(QUERY) + u8(QUERY) + u8(DRAW) + u8(QUERY))
put(*DISPI, 'pan-unaligned', u8(1) + setmode(640, 480) + u8(VIRT) + u16(1024) + u16(1024) + u8(PAN) + u16(3) + u16(5)
    + u8(QUERY) + u8(QUERY))
put(*DISPI, 'registers-by-hand', u8(1) + u8(WRITE) + u8(3) + u16(32) + u8(WRITE) + u8(1) + u16(1920) + u8(WRITE) + u8(2)
    + u16(1080) + u8(WRITE) + u8(4) + u16(0x41) + u8(QUERY) + u8(QUERY) + u8(READ) + u8(10) + u8(EDID) + u16(128))
put(*DISPI, 'past-vram', u8(0) + setmode(2048, 2048) + u8(QUERY) + u8(QUERY) + u8(DRAW) + u8(11))

# ---- plugin-region: the region plane source ----------------------------------------------
RSRC = ('plugin-region', 'io.github.scanout.source.region.internal.RegionSourceFuzzTest', 'session')
POLL = 8


def poll(cursor=0, consistent=0): return u8(POLL) + u8(cursor) + u8(consistent)


put(*RSRC, 'polls', u8(1) + poll() + poll(0, 1) + poll() + u8(4) + poll(0, 1))
put(*RSRC, 'mode-change', u8(0) + poll() + u8(0) + u16(16 | 32 | 64) + u8(1) + u32(320) + u32(200) + u32(1280)
    + poll(0, 1) + poll() + u8(2) + poll())
put(*RSRC, 'pread-fallback', u8(1) + u8(1) + u8(16) + u8(1) + u8(0) + u32(4 << 20) + u8(1) + poll() + poll(0, 1))
put(*RSRC, 'transient-errors', u8(1) + poll() + u8(3) + u8(2) + u8(1) + poll() + u8(5) + u16(100) + poll() + poll(0, 1))
put(*RSRC, 'cursor-queried', u8(5) + poll(1) + poll(1, 1) + poll())
put(*RSRC, 'vanish', u8(2) + poll() + u8(7) + u8(0x5a) + poll() + poll(0, 1))
# bit 7 of the header: the operations played again (bits 3 to 6: 1 + 4 * 15 = 61 more times)
LONG = 0x80 | 15 << 3
put(*RSRC, 'long-session', u8(LONG | 1) + poll() + u8(3) + u8(1) + u8(1) + poll(0, 1) + u8(5) + u16(50) + u8(6) + poll())

# ---- plugin-dmabuf: the dma-buf plane source ---------------------------------------------
DSRC = ('plugin-dmabuf', 'io.github.scanout.source.dmabuf.internal.DmaBufSourceFuzzTest', 'session')
DPOLL, GUEST = 10, 8


def dpoll(cursor=0, consistent=0): return u8(DPOLL) + u8(cursor) + u8(consistent)


put(*DSRC, 'gvt-polls', u8(0) + dpoll() + dpoll(1) + dpoll(0, 1) + u8(5) + dpoll(1, 1))
put(*DSRC, 'gvt-tiled-flip', u8(0) + u8(GUEST) + u8(2) + u8(2) + dpoll() + u8(GUEST) + u8(3) + dpoll(0, 1)
    + u8(GUEST) + u8(4) + u16(-20) + u16(30) + dpoll(1))
put(*DSRC, 'gvt-refuses-mmap', u8(2) + dpoll() + dpoll(1) + dpoll(0, 1))
put(*DSRC, 'mbochs-mode-change', u8(1) + dpoll() + dpoll() + u8(GUEST) + u8(0) + u16(800) + u16(600) + dpoll() + dpoll()
    + dpoll(0, 1))
put(*DSRC, 'dmabuf-too-small', u8(0) + u8(4) + u8(0) + u8(0) + u32(4096) + dpoll() + dpoll(0, 1))
put(*DSRC, 'get-fails', u8(1) + dpoll() + u8(2) + u8(2) + u8(0) + dpoll() + dpoll() + u8(3) + u8(1) + u8(5) + dpoll())
put(*DSRC, 'mbochs-long-session', u8(LONG | 1) + dpoll() + u8(GUEST) + u8(0) + u16(800) + u16(600) + dpoll()
    + u8(GUEST) + u8(0) + u16(640) + u16(480) + dpoll() + u8(3) + u8(1) + u8(1) + dpoll(0, 1))
put(*DSRC, 'gvt-id-reuse-long-session', u8(LONG) + dpoll() + u8(GUEST) + u8(3) + dpoll() + u8(GUEST) + u8(0) + u16(736)
    + u16(432) + dpoll() + u8(2) + u8(1) + u8(1) + dpoll())

# ---- sim: the launcher's check of sim: specs (byte 0xff first: no sim: put in front) ---------
SPEC = ('sim', 'io.github.scanout.sim.SpecCheckFuzzTest', 'check')
put(*SPEC, 'mbochs-flap', 'mbochs?mode=640x480&flap=20/5')
put(*SPEC, 'gvt', 'gvt?tiling=x&mmap=allow&mode=800x600&format=AR24')
put(*SPEC, 'bad-mode', 'mbochs?mode=-5x-5')
put(*SPEC, 'bad-flap', 'mdpy-vga?flap=0/5')
put(*SPEC, 'other-scheme', b'\xffvm:1234')

# ---- plugin-sink-file: configuration -------------------------------------------------------
FILE = ('plugin-sink-file', 'io.github.scanout.sink.file.internal.FileSinkConfigFuzzTest', 'parse')
KEYS = ["path", "format", "device", "maxFps", "onlyWhenChanged", "keep", "cursor", "y4m.chroma", "namePattern",
        "atomic", "fsync"]


def entry(key, value):
    k = u8(KEYS.index(key))
    if isinstance(value, bool):
        return k + u8(3) + u8(int(value))
    if isinstance(value, int):
        return k + u8(0) + u32(value)
    if isinstance(value, float):
        return k + u8(2) + struct.pack('<d', value)
    return k + u8(4) + s8(value)


def fileconf(entries, device='sim:mbochs?mode=800x600', seq=42, n=7, time=1764109000000):
    return u8(len(entries)) + b''.join(entry(k, v) for k, v in entries) + s8(device) + u64(seq) + u64(n) + u64(time)


put(*FILE, 'png-defaults', fileconf([('path', 'out/')]))
put(*FILE, 'png-pattern', fileconf([('path', '/var/lib/scanout/desk'), ('namePattern', '{device}-{seq:08d}-{n:03d}-{time}.png'),
                                    ('keep', 100), ('maxFps', 2.5), ('atomic', True)], device='../x'))
put(*FILE, 'y4m', fileconf([('path', 'cap.y4m'), ('format', 'y4m'), ('y4m.chroma', '444'), ('cursor', 'true'),
                            ('maxFps', 'auto'), ('fsync', False)]))
put(*FILE, 'raw-cursor-refused', fileconf([('path', 'cap.raw'), ('format', 'RAW'), ('cursor', True)]))
put(*FILE, 'latest', fileconf([('path', 'shots'), ('namePattern', 'latest.png'), ('onlyWhenChanged', 'FALSE')], device='.hidden'))

# ---- runtime: the command line -----------------------------------------------------------
CLI = ('runtime', 'io.github.scanout.runtime.CommandLineFuzzTest', 'parse')
for name, args in [('run-file', ['run', '--device', 'sim:mbochs', '--sink', 'file:out/?format=png&keep=5', '--duration', '5']),
                   ('run-y4m-frames', ['run', '--device=sim:gvt?tiling=x', '--sink=file:c.y4m?format=y4m&y4m.chroma=444',
                                       '--frames', '300', '--gl', 'off']),
                   ('escapes', ['shell', '--device', 'sim:mbochs?type=small', '--sink',
                                'file:shots?namePattern=a%26b-{seq}.png&sink.name=x%3Dy']),
                   ('gl', ['run', '--device', 'sim:mdpy-xga', '--sink', 'gl:window?scale=2', '--gl=on']),
                   ('devices', ['devices']),
                   ('tiny-duration', ['run', '--device', 'sim:gvt', '--duration', '1e-9']),
                   # rules between keys: the launcher asks the sink's own check (issue 18)
                   ('raw-cursor', ['run', '--device', 'sim:mdpy-vga', '--sink', 'file:c.raw?format=raw&cursor=true']),
                   ('png-rotate', ['run', '--device', 'sim:mdpy-vga', '--sink', 'file:shots?rotate.bytes=5']),
                   ('y4m-rotate-keep', ['run', '--device', 'sim:mdpy-vga', '--sink',
                                        'file:c.y4m?format=y4m&keep=3&rotate.bytes=1000000&min.free.bytes=0'])]:
    put(*CLI, name, '\0'.join(args))
# ---- plugin-source-qemu-dbus: QEMU's Listener messages (issue 21) ------------------------
LISTENER = ('plugin-source-qemu-dbus', 'io.github.scanout.source.qemudbus.internal.ListenerMessagesFuzzTest', 'messages')
def small(v): return u8(0) + u8(v) if v < 256 else u8(2) + u32(v)
def lfmt(i=0, raw=0): return u32(raw) + u8(i)  # the raw u32 is read before the pick
def ldata(n, fill=0x41): return u8(0) + bytes([fill]) * min(n, 64)  # exactly the length asked
def lscanout(w, h, stride, fmt=lfmt()): return u8(0) + small(w) + small(h) + small(stride) + fmt + ldata(stride * h)
def lupdate(x, y, w, h, stride, fmt=u32(0) + u8(0)): return u8(1) + small(x) + small(y) + small(w) + small(h) + small(stride) + fmt + ldata(stride * h)
put(*LISTENER, 'scanout-update', lscanout(4, 2, 16) + lupdate(1, 0, 1, 1, 4))
put(*LISTENER, 'mode-switch', lscanout(4, 2, 16) + lupdate(6, 0, 2, 1, 8) + small(8) + small(2))  # then the console's size
put(*LISTENER, 'rgb565', lscanout(8, 8, 16, lfmt(1)) + lupdate(0, 0, 8, 1, 16, lfmt(1)))
put(*LISTENER, 'bad-stride', lscanout(4, 2, 15) + lscanout(4, 2, 16, lfmt(3, 0x08018000)))
put(*LISTENER, 'disable-update', lscanout(4, 2, 16) + u8(2) + lupdate(0, 0, 1, 1, 4) + small(4) + small(2))
put(*LISTENER, 'cursor-mouse', u8(3) + small(10) + small(20) + u32(1) + u8(4) + small(2) + small(2) + small(1) + small(0) + ldata(16))
print('seeds written')
