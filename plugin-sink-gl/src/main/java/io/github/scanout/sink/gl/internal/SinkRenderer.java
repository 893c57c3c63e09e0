package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Hotspot;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.support.ConditionLog;
import java.util.Optional;
import org.lwjgl.opengl.GL11;

/**
 * What one sink shows, and how it is drawn: the primary plane (an uploaded texture, or an
 * imported dma-buf texture), the cursor as a second quad, or the placeholder screen.
 *
 * <p>The primary path for a frame: when the buffer carries a dma-buf and zero-copy import works
 * in this context, its texture comes from the {@link ImportCache}; when the import is not
 * available (said once) or fails (said once per reason; after {@value #MAX_IMPORT_FAILURES}
 * failures in a row import is switched off for this sink, said once), a CPU-readable buffer is
 * uploaded instead; a buffer that can be neither imported nor read shows the placeholder with
 * the reason. There is never a black screen and never a failure loop.
 *
 * <p>A cursor update draws again without uploading the primary plane again: the primary
 * texture stays as it is.
 *
 * <p>Threads: the GL thread that owns the context, only.
 */
final class SinkRenderer implements AutoCloseable {

    static final int MAX_IMPORT_FAILURES = 3;
    private static final System.Logger.Level INFO = System.Logger.Level.INFO;
    private static final System.Logger.Level WARNING = System.Logger.Level.WARNING;

    /** How the picture is placed, and what the cursor position names. */
    record Options(String device, ScaleMode scale, CursorOrigin cursorOrigin, boolean zeroCopy) {}

    private enum Kind { PLACEHOLDER, UPLOADED, IMPORTED }

    /** Counters for stats and tests. */
    static final class Stats {
        long draws;
        long uploads;
        long importedFrames;
        long importFailures;
        long cursorUploads;
        long placeholders;
    }

    private final Options options;
    private final ConditionLog log;
    private final QuadProgram program;
    private final PlaneTexture upload;
    private final PlaneTexture cursorUpload;
    private final PlaneTexture placeholderTexture;
    private final DmaBufImporter importer;
    private final ImportCache cache;
    private final ImportCache cursorCache;
    private final Stats stats = new Stats();
    /** Frames whose picture was put on screen (uploaded or imported); read from any thread. */
    private volatile long framesShown;
    /** Why the last frame could not be shown, empty after one was; read from any thread. */
    private volatile String problem = "";

    private boolean zeroCopy;
    private int consecutiveImportFailures;
    private long changes;

    private Kind kind = Kind.PLACEHOLDER;
    private int texture;
    private int mode;
    private int width;
    private int height;
    private boolean swap;
    private boolean opaque;
    private String placeholderReason;

    private boolean cursorVisible;
    private int cursorTexture;
    private int cursorMode;
    private boolean cursorImported;
    private int cursorW;
    private int cursorH;
    private boolean cursorSwap;
    private boolean cursorOpaque;
    private int cursorX;
    private int cursorY;
    private Optional<Hotspot> cursorHotspot = Optional.empty();

    SinkRenderer(GlContext context, Options options, ConditionLog log) {
        this.options = options;
        this.log = log;
        this.program = new QuadProgram();
        this.upload = new PlaneTexture();
        this.cursorUpload = new PlaneTexture();
        this.placeholderTexture = new PlaneTexture();
        this.importer = new DmaBufImporter(context.importApi());
        this.cache = new ImportCache(importer, 4);
        this.cursorCache = new ImportCache(importer, 2);
        Optional<String> unavailable = importer.unavailable();
        this.zeroCopy = options.zeroCopy() && unavailable.isEmpty();
        if (!options.zeroCopy()) {
            log.always(INFO, "zero-copy dma-buf import is switched off by configuration: buffers are uploaded");
        } else if (unavailable.isPresent()) {
            log.always(INFO, "zero-copy dma-buf import unavailable (" + unavailable.get()
                    + "): CPU-readable buffers are uploaded");
        } else {
            log.always(INFO, "zero-copy dma-buf import available" + (importer.modifiersExtension()
                    ? " with modifiers" : " (linear buffers only: no " + DmaBufAttributes.IMPORT_MODIFIERS + ")"));
        }
        showPlaceholder("waiting for the first frame");
    }

    /** Whether dma-bufs are imported (zero copy) right now. */
    boolean zeroCopy() {
        return zeroCopy;
    }

    /** Why zero copy is unavailable in this context, or empty. */
    Optional<String> zeroCopyUnavailable() {
        return importer.unavailable();
    }

    Stats stats() {
        return stats;
    }

    private void shown() {
        framesShown++; // written on the GL thread only
        problem = "";
    }

    /** Frames put on screen so far (any thread). */
    long framesShown() {
        return framesShown;
    }

    /** Why the last frame could not be shown; empty when it was (any thread). */
    String problem() {
        return problem;
    }

    /** Whether the placeholder is showing, and why. */
    Optional<String> placeholder() {
        return kind == Kind.PLACEHOLDER ? Optional.of(placeholderReason) : Optional.empty();
    }

    /** The content's size: the frame's, or the placeholder's. */
    int contentWidth() {
        return kind == Kind.PLACEHOLDER ? Placeholder.WIDTH : width;
    }

    int contentHeight() {
        return kind == Kind.PLACEHOLDER ? Placeholder.HEIGHT : height;
    }

    /**
     * Applies what the delivery thread sent; owns and closes the leases in it.
     *
     * @return whether what is shown changed (a hidden cursor hidden again changes nothing)
     */
    boolean apply(Mailbox.Work work) {
        long before = changes;
        try {
            if (work.detached()) {
                cache.clear();
                hideCursor();
                showPlaceholder("detached from the device");
            }
            if (work.noSignal() != null) {
                cache.clear();
                hideCursor();
                showPlaceholder(work.noSignal());
            }
            if (work.frame() != null) {
                showFrame(work.frame());
            }
            if (work.cursor() != null) {
                applyCursor(work.cursor());
            }
        } finally {
            work.release();
        }
        return changes != before || work.detached() || work.noSignal() != null || work.frame() != null;
    }

    private void showFrame(PlaneBuffer buffer) {
        PlaneInfo info = buffer.info();
        String importProblem = null;
        if (zeroCopy && buffer.dmaBuf().isPresent()) {
            try {
                DmaBufImporter.Imported imported = cache.get(buffer);
                consecutiveImportFailures = 0;
                show(Kind.IMPORTED, imported.texture(), UploadPlan.NORMALIZED, info.width(), info.height(), false,
                        isOpaque(info.format()));
                stats.importedFrames++;
                shown();
                return;
            } catch (ImportFailedException e) {
                importProblem = e.getMessage();
                if (e.remembered()) {
                    // the same buffer again: its failure was counted and said when it happened
                } else {
                    stats.importFailures++;
                    log.report(WARNING, "import:" + e.getMessage(), "zero-copy import failed, using the upload path: "
                            + e.getMessage());
                    consecutiveImportFailures++;
                }
                if (consecutiveImportFailures >= MAX_IMPORT_FAILURES) {
                    zeroCopy = false;
                    cache.clear();
                    log.report(WARNING, "import-off", "zero-copy import failed " + MAX_IMPORT_FAILURES
                            + " times in a row: switched off for this sink; buffers are uploaded from now on");
                }
            }
        }
        if (!buffer.cpuReadable()) {
            String why = importProblem != null ? importProblem
                    : !options.zeroCopy() ? "zero-copy import is switched off"
                    : importer.unavailable().orElse("zero-copy import is switched off after failures");
            String reason = "cannot show " + info.format() + " " + info.width() + "x" + info.height()
                    + ": the CPU cannot map this dma-buf and it cannot be imported (" + why + ")";
            log.report(WARNING, "unreadable:" + why, reason);
            problem = reason;
            showPlaceholder(reason);
            return;
        }
        String refusal = PlaneTexture.refusal(info);
        if (refusal != null) {
            log.report(WARNING, "refused:" + refusal, refusal);
            problem = refusal;
            showPlaceholder(refusal);
            return;
        }
        uploadSynced(buffer, upload);
        stats.uploads++;
        shown();
        show(Kind.UPLOADED, upload.texture(), upload.plan().mode(), info.width(), info.height(), upload.plan().swapRb(),
                upload.plan().opaque());
    }

    /** Uploads, bracketing reads of a mapped dma-buf with DMA_BUF_IOCTL_SYNC. */
    private void uploadSynced(PlaneBuffer buffer, PlaneTexture target) {
        DmaBuf sync = buffer.memory() == MemoryKind.DMABUF_MAPPING ? buffer.dmaBuf().orElse(null) : null;
        if (sync != null) {
            try {
                sync.beginCpuRead();
            } catch (Exception e) {
                log.report(WARNING, "sync-begin", "DMA_BUF_IOCTL_SYNC (start) failed, reading anyway: " + e.getMessage());
                sync = null;
            }
        }
        try {
            target.upload(buffer.info(), buffer.pixels());
        } finally {
            if (sync != null) {
                try {
                    sync.endCpuRead();
                } catch (Exception e) {
                    log.report(WARNING, "sync-end", "DMA_BUF_IOCTL_SYNC (end) failed: " + e.getMessage());
                }
            }
        }
    }

    private static boolean isOpaque(DrmFormat format) {
        return format.spec().map(s -> !s.alpha()).orElse(true);
    }

    private void show(Kind k, int tex, int texelMode, int w, int h, boolean swapRb, boolean forceOpaque) {
        kind = k;
        texture = tex;
        mode = texelMode;
        width = w;
        height = h;
        swap = swapRb;
        opaque = forceOpaque;
        placeholderReason = null;
    }

    private void showPlaceholder(String reason) {
        if (kind == Kind.PLACEHOLDER && reason.equals(placeholderReason)) {
            return;
        }
        placeholderTexture.uploadArgb(Placeholder.render(options.device(), reason), Placeholder.WIDTH, Placeholder.HEIGHT);
        kind = Kind.PLACEHOLDER;
        placeholderReason = reason;
        stats.placeholders++;
    }

    private void applyCursor(Mailbox.Cursor c) {
        if (!c.visible()) {
            if (cursorVisible) {
                changes++;
            }
            hideCursor();
            return;
        }
        changes++;
        cursorX = c.x();
        cursorY = c.y();
        cursorHotspot = c.hotspot();
        PlaneBuffer image = c.newImage();
        if (image != null) {
            loadCursorImage(image);
        }
        cursorVisible = cursorTexture != 0;
    }

    /** Hides the cursor and drops imported cursor textures (an uploaded image is kept for later moves). */
    private void hideCursor() {
        cursorVisible = false;
        if (cursorImported) {
            cursorTexture = 0;
            cursorImported = false;
        }
        cursorCache.clear();
    }

    private void loadCursorImage(PlaneBuffer image) {
        PlaneInfo info = image.info();
        if (zeroCopy && image.dmaBuf().isPresent()) {
            try {
                DmaBufImporter.Imported imported = cursorCache.get(image);
                setCursor(imported.texture(), UploadPlan.NORMALIZED, info, false, isOpaque(info.format()));
                cursorImported = true;
                return;
            } catch (ImportFailedException e) {
                log.report(WARNING, "cursor-import:" + e.getMessage(), "cursor import failed, using the upload path: "
                        + e.getMessage());
            }
        }
        String refusal = image.cpuReadable() ? PlaneTexture.refusal(info)
                : "the CPU cannot map the cursor's dma-buf and it cannot be imported";
        if (refusal != null) {
            log.report(WARNING, "cursor:" + refusal, "cursor hidden: " + refusal);
            cursorCache.clear();
            cursorTexture = 0;
            cursorImported = false;
            return;
        }
        cursorCache.clear();
        cursorImported = false;
        uploadSynced(image, cursorUpload);
        stats.cursorUploads++;
        setCursor(cursorUpload.texture(), cursorUpload.plan().mode(), info, cursorUpload.plan().swapRb(),
                cursorUpload.plan().opaque());
    }

    private void setCursor(int tex, int texelMode, PlaneInfo info, boolean swapRb, boolean forceOpaque) {
        cursorTexture = tex;
        cursorMode = texelMode;
        cursorW = info.width();
        cursorH = info.height();
        cursorSwap = swapRb;
        cursorOpaque = forceOpaque;
    }

    /**
     * Draws into the bound framebuffer of {@code fbW x fbH}: black bars, the picture, the cursor.
     */
    void draw(int fbW, int fbH) {
        GL11.glViewport(0, 0, fbW, fbH);
        GL11.glDisable(GL11.GL_SCISSOR_TEST);
        GL11.glDisable(GL11.GL_BLEND);
        Rect picture = kind == Kind.PLACEHOLDER ? ScaleMode.ASPECT.place(Placeholder.WIDTH, Placeholder.HEIGHT, fbW, fbH)
                : options.scale().place(width, height, fbW, fbH);
        if (!covers(picture, fbW, fbH)) {
            // black bars; skipped when the picture covers everything (an extra full-screen pass on
            // a software renderer)
            GL11.glClearColor(0f, 0f, 0f, 1f);
            GL11.glClear(GL11.GL_COLOR_BUFFER_BIT);
        }
        if (kind == Kind.PLACEHOLDER) {
            Rect r = ScaleMode.ASPECT.place(Placeholder.WIDTH, Placeholder.HEIGHT, fbW, fbH);
            program.draw(placeholderTexture.texture(), UploadPlan.NORMALIZED, r, fbW, fbH, true, true,
                    r.width() != Placeholder.WIDTH || r.height() != Placeholder.HEIGHT, false);
        } else {
            Rect r = options.scale().place(width, height, fbW, fbH);
            boolean scaled = r.width() != width || r.height() != height;
            program.draw(texture, mode, r, fbW, fbH, swap, opaque, scaled, false);
            if (cursorVisible && cursorTexture != 0) {
                double sx = r.width() / width;
                double sy = r.height() / height;
                int[] corner = options.cursorOrigin().corner(cursorX, cursorY, cursorHotspot);
                Rect c = new Rect(r.x() + corner[0] * sx, r.y() + corner[1] * sy, cursorW * sx, cursorH * sy);
                scissor(r, fbH);
                program.draw(cursorTexture, cursorMode, c, fbW, fbH, cursorSwap, cursorOpaque, scaled, true);
                GL11.glDisable(GL11.GL_SCISSOR_TEST);
            }
        }
        stats.draws++;
    }

    private static boolean covers(Rect r, int fbW, int fbH) {
        return r.x() <= 0 && r.y() <= 0 && r.x() + r.width() >= fbW && r.y() + r.height() >= fbH;
    }

    /** Keeps the cursor inside the picture (not over the letterbox bars). */
    private static void scissor(Rect r, int fbH) {
        int x0 = (int) Math.max(0, Math.floor(r.x()));
        int y0 = (int) Math.max(0, Math.floor(r.y()));
        int x1 = (int) Math.ceil(r.x() + r.width());
        int y1 = (int) Math.ceil(r.y() + r.height());
        GL11.glEnable(GL11.GL_SCISSOR_TEST);
        GL11.glScissor(x0, fbH - y1, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
    }

    /** Import cache entries (tests). */
    int cachedImports() {
        return cache.size();
    }

    long importsMade() {
        return cache.imports();
    }

    @Override
    public void close() {
        cache.close();
        cursorCache.close();
        upload.close();
        cursorUpload.close();
        placeholderTexture.close();
        program.close();
    }
}
