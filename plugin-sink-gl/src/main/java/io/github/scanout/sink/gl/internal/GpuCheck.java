package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.api.sink.CursorState;
import io.github.scanout.api.sink.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A standalone check for a machine with a GPU (or any machine): headless EGL on each platform
 * (device first, as on NVIDIA, then surfaceless), what the display offers for dma-buf import,
 * the upload path read back exactly for every format, the cursor composited, and the time of
 * upload + draw + finish at 1080p and 4K. Prints one line per check and {@code RESULT PASS} or
 * {@code RESULT FAIL}; exits 0 only when every check passed. Needs only the api jar, this jar
 * and the LWJGL jars on the class path.
 *
 * <p>Usage: {@code java -cp ... io.github.scanout.sink.gl.internal.GpuCheck [device|surfaceless|auto]}
 */
public final class GpuCheck {
    private GpuCheck() {}

    private static final List<String> FAILURES = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        List<EglPlatform> platforms = args.length > 0 ? List.of(EglPlatform.parse(args[0]))
                : List.of(EglPlatform.DEVICE, EglPlatform.SURFACELESS);
        System.out.println("java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch"));
        boolean any = false;
        for (EglPlatform p : platforms) {
            String d = probeHeadless(p);
            System.out.println("PLATFORM " + p + ": " + d);
            any |= !d.startsWith("unavailable");
        }
        if (!any) {
            fail("no headless EGL platform works");
        } else {
            EglPlatform p = platforms.size() == 1 ? platforms.get(0) : EglPlatform.AUTO;
            checkSink(p);
        }
        System.out.println(FAILURES.isEmpty() ? "RESULT PASS" : "RESULT FAIL " + FAILURES);
        System.exit(FAILURES.isEmpty() ? 0 : 1);
    }

    private static void fail(String what) {
        FAILURES.add(what);
        System.out.println("FAIL " + what);
    }

    /** {@link #probeHeadless(EglPlatform)} by platform name (auto, surfaceless, device). */
    public static String probeHeadless(String platform) throws InterruptedException {
        return probeHeadless(EglPlatform.parse(platform));
    }

    /**
     * Opens headless EGL on a thread of its own and describes it: renderer, whether dma-bufs
     * can be imported (with modifiers), or why not; "unavailable: ..." when it cannot start.
     */
    static String probeHeadless(EglPlatform platform) throws InterruptedException {
        String[] out = new String[1];
        Thread t = new Thread(() -> {
            try (EglHeadless h = EglHeadless.create(platform)) {
                DmaBufImporter importer = new DmaBufImporter(h.importApi());
                StringBuilder b = new StringBuilder(h.description());
                b.append("; dma-buf import: ").append(importer.unavailable().map(r -> "no (" + r + ")")
                        .orElse(importer.modifiersExtension() ? "yes, with modifiers" : "yes, linear only"));
                if (importer.unavailable().isEmpty() && importer.modifiersExtension()) {
                    EglImportApi api = h.importApi().orElseThrow();
                    for (DrmFormat f : List.of(DrmFormat.XRGB8888, DrmFormat.ARGB8888)) {
                        b.append("; ").append(f).append(" modifiers ").append(api.modifiers(f.fourcc())
                                .map(l -> l.stream().map(m -> new Modifier(m.modifier()) + (m.externalOnly()
                                        ? "(external)" : "")).toList().toString()).orElse("?"));
                    }
                }
                out[0] = b.toString();
            } catch (Throwable e) {
                out[0] = "unavailable: " + e.getMessage();
            }
        }, "gpu-check-probe");
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(60));
        return t.isAlive() ? "unavailable: EGL start-up hung for 60 s" : out[0];
    }

    private static void checkSink(EglPlatform platform) throws Exception {
        GlSinkOptions o = GlSinkOptions.headless("gpu-check");
        o = new GlSinkOptions(o.device(), o.mode(), o.scale(), o.vsync(), o.title(), 0, 0, false, 0, o.cursorOrigin(),
                true, platform, o.windowApi(), o.startupWait());
        try (GlSink sink = GlSink.create(o)) {
            boolean zeroCopy = sink.ready().get(60, TimeUnit.SECONDS);
            System.out.println("SINK ready, zero copy " + (zeroCopy ? "available" : "unavailable"));
            long seq = 0;
            for (DrmFormat f : DrmFormat.known()) {
                if (!PixelConverter.isSupported(f)) {
                    continue;
                }
                int w = 37;
                int h = 23;
                int stride = Math.toIntExact(PlaneInfo.rowBytes(f, w)) + 12;
                stride += (4 - stride % 4) % 4;
                PlaneInfo info = plane(f, w, h, stride);
                ByteBuffer bytes = noise(info, f.fourcc());
                int[] expected = PixelConverter.toArgb(info, bytes);
                try (PlaneBuffer b = PlaneBuffer.snapshot(info, bytes, null)) {
                    sink.frame(new Frame("gpu-check", ++seq, System.nanoTime(), System.currentTimeMillis(), b,
                            CursorState.hidden()));
                }
                Snapshot s = sink.snapshot().get(60, TimeUnit.SECONDS);
                int diff = differences(expected, s.argb());
                if (s.width() != w || s.height() != h || diff != 0) {
                    fail("upload " + f + ": " + diff + " pixels differ (" + s.width() + "x" + s.height() + ")");
                } else {
                    System.out.println("OK upload " + f + " read back exactly");
                }
            }
            checkCursor(sink, ++seq);
            for (int[] size : new int[][] {{1920, 1080}, {3840, 2160}}) {
                double ms = timeUploads(sink, size[0], size[1], 30);
                System.out.println(String.format(Locale.ROOT, "TIME upload+draw+finish %dx%d XRGB8888: %.2f ms (%.1f fps)",
                        size[0], size[1], ms, 1000 / ms));
            }
        }
    }

    private static void checkCursor(GlSink sink, long seq) throws Exception {
        int w = 64;
        int h = 48;
        int[] primary = new int[w * h];
        for (int i = 0; i < primary.length; i++) {
            primary[i] = 0xff000000 | (i * 7919);
        }
        int[] cursor = new int[8 * 8];
        for (int i = 0; i < cursor.length; i++) {
            cursor[i] = i % 3 == 0 ? 0 : 0xffff0000 | i;
        }
        try (PlaneBuffer p = argb(DrmFormat.XRGB8888, w, h, primary, PlaneType.PRIMARY);
                PlaneBuffer c = argb(DrmFormat.ARGB8888, 8, 8, cursor, PlaneType.CURSOR)) {
            sink.frame(new Frame("gpu-check", seq, System.nanoTime(), System.currentTimeMillis(), p,
                    new CursorState(Optional.of(c), 20, 10, Optional.empty(), true)));
        }
        int[] expected = primary.clone();
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int s = cursor[y * 8 + x];
                if (s >>> 24 == 255) {
                    expected[(10 + y) * w + 20 + x] = s;
                }
            }
        }
        int diff = differences(expected, sink.snapshot().get(60, TimeUnit.SECONDS).argb());
        if (diff != 0) {
            fail("cursor composite: " + diff + " pixels differ");
        } else {
            System.out.println("OK cursor composited at its place");
        }
    }

    private static double timeUploads(GlSink sink, int w, int h, int frames) throws Exception {
        PlaneInfo info = plane(DrmFormat.XRGB8888, w, h, w * 4);
        ByteBuffer bytes = ByteBuffer.allocateDirect(w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < frames; i++) {
            bytes.putInt(0, i);
            long t0 = System.nanoTime();
            try (PlaneBuffer b = PlaneBuffer.snapshot(info, bytes, null)) {
                sink.frame(new Frame("gpu-check", i, t0, 0, b, CursorState.hidden()));
            }
            sink.finished().get(60, TimeUnit.SECONDS); // the GPU's work done, not just queued
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e6;
    }

    private static PlaneInfo plane(DrmFormat f, int w, int h, int stride) {
        return new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, f, Modifier.LINEAR, w, h, stride,
                PlaneInfo.requiredBytes(f, Modifier.LINEAR, w, h, stride), 0, 0, Optional.empty(), 0);
    }

    private static PlaneBuffer argb(DrmFormat f, int w, int h, int[] px, PlaneType type) {
        PlaneInfo info = new PlaneInfo(type, BufferType.REGION, f, Modifier.LINEAR, w, h, w * 4, w * h * 4L, 0, 0,
                Optional.empty(), 0);
        ByteBuffer b = ByteBuffer.allocate(w * h * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(px);
        return PlaneBuffer.snapshot(info, b, null);
    }

    private static ByteBuffer noise(PlaneInfo info, long seed) {
        int n = Math.toIntExact(info.requiredBytes());
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b.put((byte) r.nextInt(256));
        }
        b.flip();
        return b;
    }

    private static int differences(int[] a, int[] b) {
        if (a.length != b.length) {
            return Math.max(a.length, b.length);
        }
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                n++;
            }
        }
        return n;
    }
}
