package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.core.Devices;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDevices;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The window side of {@link WindowXvfbTest}, run in a child JVM whose DISPLAY is the test's Xvfb
 * (GLFW reads DISPLAY from the process environment, which a running JVM cannot change): shows a
 * simulated mdpy in a GL sink window, writes what the device shows, and reports the window's
 * geometry; the parent takes the screenshot. Commands on stdin: {@code RESIZE w h}, {@code QUIT}.
 */
public final class WindowProbeMain {
    private WindowProbeMain() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String spec = args.length > 1 ? args[1] : "sim:mdpy-vga";
        SimDevice sim = SimDevices.create(spec);
        // the EDID side: a simulated mbochs (mdpy has no EDID region) takes the window's size
        GfxDevice edidDevice = new Devices().open(io.github.scanout.sim.MbochsDevice.create(
                io.github.scanout.sim.MbochsDevice.Type.LARGE));
        java.util.Optional<io.github.scanout.api.device.EdidRegion> edid = edidDevice.edid();
        try (GfxDevice device = new Devices().open(sim); edidDevice) {
            PlaneInfo p = device.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElseThrow();
            MappedMemory m = device.mapRegion(Math.toIntExact(p.bufferId()));
            GlSink sink = new GlSink(GlSinkOptions.window(spec).withSize(p.width(), p.height()).withVsync(false)
                    .withEdidResize(true), () -> edid);
            try (sink) {
                sink.ready().get(30, TimeUnit.SECONDS);
                try (PlaneBuffer b = PlaneBuffer.create(p, MemoryKind.LIVE_MAPPING,
                        m.view(0, Math.toIntExact(p.requiredBytes())), null, m)) {
                    sink.frame(GlTestSupport.frame(b, 1));
                }
                try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(out.resolve("expected.argb")))) {
                    o.writeInt(p.width());
                    o.writeInt(p.height());
                    for (int v : sim.pixels()) {
                        o.writeInt(v);
                    }
                }
                WindowDriver w = (WindowDriver) sink.driver();
                report(sink, w);
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
                for (String line; (line = in.readLine()) != null;) {
                    String[] cmd = line.trim().split("\\s+");
                    if (cmd[0].equals("RESIZE")) {
                        int ww = Integer.parseInt(cmd[1]);
                        int hh = Integer.parseInt(cmd[2]);
                        w.requestSize(ww, hh);
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (System.nanoTime() < deadline && (w.geometry()[2] != ww || w.geometry()[3] != hh)) {
                            sink.drawn().get(5, TimeUnit.SECONDS);
                            Thread.sleep(20); // the X server answers the resize asynchronously
                        }
                        report(sink, w);
                    } else if (cmd[0].equals("EDID")) {
                        // after the 1 s debounce and the 100 ms link-up delay
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        int[] mode = EdidBlob.preferredMode(edid.orElseThrow().read());
                        while (System.nanoTime() < deadline && (!edid.get().linkUp() || mode[0] != Integer.parseInt(cmd[1]))) {
                            Thread.sleep(50);
                            mode = EdidBlob.preferredMode(edid.get().read());
                        }
                        System.out.println("EDID " + mode[0] + "x" + mode[1] + " link " + (edid.get().linkUp() ? "up" : "down")
                                + " sent " + sink.edidResizer().sent());
                        System.out.flush();
                    } else if (cmd[0].equals("QUIT")) {
                        break;
                    }
                }
            }
        }
        System.out.println("BYE");
    }

    private static void report(GlSink sink, WindowDriver w) throws Exception {
        // two fences: the second draw happens after the X server has the first one
        sink.drawn().get(10, TimeUnit.SECONDS);
        sink.snapshot().get(10, TimeUnit.SECONDS);
        int[] g = w.geometry();
        System.out.println("READY " + g[0] + " " + g[1] + " " + g[2] + " " + g[3] + " " + w.currentTitle());
        System.out.flush();
    }
}
