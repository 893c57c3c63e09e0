package io.github.scanout.sink.video.internal;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.Map;

/**
 * The few GStreamer, GLib and GObject functions this sink calls, bound with JNA to the system's
 * libraries ({@code libgstreamer-1.0.so.0}, {@code libgstapp-1.0.so.0}, {@code libgobject-2.0.so.0},
 * {@code libglib-2.0.so.0}), loaded on first use. The package documentation says why this and not
 * a Java binding library.
 *
 * <p>Two things GStreamer offers only as C macros are read at fixed offsets of the 64-bit ABI
 * ({@code GST_BUFFER_PTS}/{@code DURATION}, {@code GST_MESSAGE_TYPE}/{@code SRC}); {@link #load()}
 * checks the buffer offsets on a fresh buffer (whose five clock and offset fields are all "none")
 * and refuses to run on a layout it does not recognise.
 *
 * <p>Threads: GStreamer is thread-safe; {@link #load()} once, then any thread.
 */
final class Gst {

    /** {@code GST_STATE_NULL}. */
    static final int STATE_NULL = 1;
    /** {@code GST_STATE_PLAYING}. */
    static final int STATE_PLAYING = 4;
    /** {@code GST_STATE_CHANGE_FAILURE}. */
    static final int STATE_CHANGE_FAILURE = 0;
    /** {@code GST_MESSAGE_EOS}. */
    static final int MESSAGE_EOS = 1;
    /** {@code GST_MESSAGE_ERROR}. */
    static final int MESSAGE_ERROR = 1 << 1;
    /** {@code GST_MESSAGE_WARNING}. */
    static final int MESSAGE_WARNING = 1 << 2;
    /** {@code GST_CLOCK_TIME_NONE}. */
    static final long CLOCK_TIME_NONE = -1L;
    /** {@code GST_PAD_PROBE_TYPE_BUFFER}. */
    static final int PROBE_BUFFER = 1 << 4;
    /** {@code GST_PAD_PROBE_OK}. */
    static final int PROBE_OK = 1;
    /** {@code GST_FLOW_OK}. */
    static final int FLOW_OK = 0;

    // offsets in the x86-64/aarch64 LP64 ABI: GstMiniObject is 64 bytes
    private static final long BUFFER_PTS = 72;
    private static final long BUFFER_DTS = 80;
    private static final long BUFFER_DURATION = 88;
    private static final long BUFFER_OFFSET = 96;
    private static final long BUFFER_OFFSET_END = 104;
    private static final long MESSAGE_TYPE = 64;
    private static final long MESSAGE_SRC = 80;

    /** libgstreamer-1.0. */
    interface Core extends Library {
        boolean gst_init_check(Pointer argc, Pointer argv, PointerByReference error);

        String gst_version_string();

        Pointer gst_parse_launch(String description, PointerByReference error);

        Pointer gst_bin_get_by_name(Pointer bin, String name);

        int gst_element_set_state(Pointer element, int state);

        Pointer gst_element_get_bus(Pointer element);

        Pointer gst_element_get_static_pad(Pointer element, String name);

        Pointer gst_element_factory_find(String name);

        Pointer gst_bus_timed_pop_filtered(Pointer bus, long timeoutNanos, int types);

        void gst_message_parse_error(Pointer message, PointerByReference error, PointerByReference debug);

        void gst_message_parse_warning(Pointer message, PointerByReference error, PointerByReference debug);

        void gst_mini_object_unref(Pointer object);

        void gst_object_unref(Pointer object);

        Pointer gst_object_get_path_string(Pointer object);

        Pointer gst_caps_from_string(String caps);

        Pointer gst_buffer_new_allocate(Pointer allocator, long size, Pointer params);

        long gst_buffer_fill(Pointer buffer, long offset, Pointer source, long size);

        long gst_buffer_get_size(Pointer buffer);

        long gst_pad_add_probe(Pointer pad, int mask, ProbeCallback callback, Pointer userData, Pointer destroy);

        Pointer gst_pad_peer_query_caps(Pointer pad, Pointer filter);

        boolean gst_caps_is_empty(Pointer caps);

        boolean gst_caps_is_any(Pointer caps);

        Pointer gst_buffer_new();

        void gst_buffer_append_memory(Pointer buffer, Pointer memory);

        Pointer gst_buffer_peek_memory(Pointer buffer, int index);
    }

    /** libgstapp-1.0. */
    interface App extends Library {
        int gst_app_src_push_buffer(Pointer appsrc, Pointer buffer);

        int gst_app_src_end_of_stream(Pointer appsrc);

        void gst_app_src_set_caps(Pointer appsrc, Pointer caps);

        long gst_app_src_get_current_level_buffers(Pointer appsrc);
    }

    /** libgobject-2.0 and libglib-2.0. */
    interface GLib extends Library {
        void g_object_set(Pointer object, String name, Object... valueThenNull);

        void g_error_free(Pointer error);

        void g_free(Pointer memory);
    }

    /** libgstallocators-1.0: dma-buf memory. */
    interface Allocators extends Library {
        Pointer gst_dmabuf_allocator_new();

        /** Wraps a dma-buf fd; the memory owns the fd and closes it when freed. */
        Pointer gst_dmabuf_allocator_alloc(Pointer allocator, int fd, long size);

        boolean gst_is_dmabuf_memory(Pointer memory);

        int gst_dmabuf_memory_get_fd(Pointer memory);
    }

    /** libgstvideo-1.0: the video meta that tells downstream a dma-buf's stride and offset. */
    interface Video extends Library {
        int gst_video_format_from_string(String format);

        Pointer gst_buffer_add_video_meta_full(Pointer buffer, int flags, int format, int width, int height, int planes,
                long[] offset, int[] stride);
    }

    /** The C library's {@code dup} and {@code close}: each buffer handed to GStreamer owns an fd of its own. */
    interface LibC extends Library {
        int dup(int fd);

        int close(int fd);
    }

    /** A pad probe: {@code GstPadProbeReturn (*)(GstPad *, GstPadProbeInfo *, gpointer)}. */
    interface ProbeCallback extends Callback {
        int invoke(Pointer pad, Pointer info, Pointer userData);
    }

    final Core core;
    final App app;
    final GLib glib;
    final String version;

    private Gst(Core core, App app, GLib glib) {
        this.core = core;
        this.app = app;
        this.glib = glib;
        this.version = core.gst_version_string();
    }

    private volatile DmaBufLibs dmaBufLibs;

    /** What pushing dma-bufs needs, loaded with the first one. */
    record DmaBufLibs(Allocators allocators, Video video, LibC libc, Pointer allocator) {}

    /**
     * The libraries and the allocator for dma-buf memory, loaded once.
     *
     * @throws IllegalStateException naming the Debian package when a library is missing
     */
    DmaBufLibs dmaBuf() {
        DmaBufLibs d = dmaBufLibs;
        if (d == null) {
            synchronized (this) {
                if (dmaBufLibs == null) {
                    Allocators a = library("libgstallocators-1.0.so.0", Allocators.class, "libgstreamer-plugins-base1.0-0");
                    Video v = library("libgstvideo-1.0.so.0", Video.class, "libgstreamer-plugins-base1.0-0");
                    LibC c = Native.load("c", LibC.class);
                    // kept for the life of the process, as GStreamer's own sinks keep theirs
                    dmaBufLibs = new DmaBufLibs(a, v, c, a.gst_dmabuf_allocator_new());
                }
                d = dmaBufLibs;
            }
        }
        return d;
    }

    private static volatile Gst loaded;
    private static volatile String failure;

    /**
     * GStreamer, loaded and initialised once.
     *
     * @throws IllegalStateException with one line naming the Debian package to install when the
     *     libraries are not there, or why GStreamer would not start
     */
    static Gst load() {
        Gst g = loaded;
        if (g != null) {
            return g;
        }
        synchronized (Gst.class) {
            if (loaded != null) {
                return loaded;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            try {
                loaded = open();
                return loaded;
            } catch (IllegalStateException e) {
                failure = e.getMessage();
                throw e;
            }
        }
    }

    private static Gst open() {
        Core core = library("libgstreamer-1.0.so.0", Core.class, "libgstreamer1.0-0");
        App app = library("libgstapp-1.0.so.0", App.class, "libgstreamer-plugins-base1.0-0");
        GLib gobject = library("libgobject-2.0.so.0", GLib.class, "libglib2.0-0");
        GLib glib = library("libglib-2.0.so.0", GLib.class, "libglib2.0-0");
        GLib both = new GLib() {
            @Override
            public void g_object_set(Pointer object, String name, Object... valueThenNull) {
                gobject.g_object_set(object, name, valueThenNull);
            }

            @Override
            public void g_error_free(Pointer error) {
                glib.g_error_free(error);
            }

            @Override
            public void g_free(Pointer memory) {
                glib.g_free(memory);
            }
        };
        PointerByReference error = new PointerByReference();
        if (!core.gst_init_check(null, null, error)) {
            throw new IllegalStateException("GStreamer would not initialise: " + errorTextOf(both, error.getValue()));
        }
        Gst gst = new Gst(core, app, both);
        Pointer b = core.gst_buffer_new_allocate(null, 16, null);
        try {
            for (long off : new long[] {BUFFER_PTS, BUFFER_DTS, BUFFER_DURATION, BUFFER_OFFSET, BUFFER_OFFSET_END}) {
                if (b.getLong(off) != -1L) {
                    throw new IllegalStateException("GStreamer " + gst.version + ": its GstBuffer layout is not the one "
                            + "this sink knows (a 64-bit build of GStreamer 1.x); the video sink cannot time its frames");
                }
            }
        } finally {
            core.gst_mini_object_unref(b);
        }
        return gst;
    }

    private static <T extends Library> T library(String name, Class<T> type, String debianPackage) {
        try {
            return Native.load(name, type, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
        } catch (UnsatisfiedLinkError e) {
            String install = " cannot be loaded (install the Debian package ";
            throw new IllegalStateException("GStreamer is not installed: " + name + install + debianPackage
                    + ", or gstreamer1.0-plugins-base, which pulls it in)");
        }
    }

    /** The message of a {@code GError} (and frees it); "unknown error" for null. */
    String errorText(Pointer error) {
        return errorTextOf(glib, error);
    }

    /** Whether GStreamer has an element factory of this name. */
    boolean hasElement(String name) {
        Pointer f = core.gst_element_factory_find(name);
        if (f == null) {
            return false;
        }
        core.gst_object_unref(f);
        return true;
    }

    static void setPts(Pointer buffer, long ptsNanos, long durationNanos) {
        buffer.setLong(BUFFER_PTS, ptsNanos);
        buffer.setLong(BUFFER_DURATION, durationNanos);
    }

    /** {@code GST_BUFFER_PTS}. */
    static long pts(Pointer buffer) {
        return buffer.getLong(BUFFER_PTS);
    }

    static int messageType(Pointer message) {
        return message.getInt(MESSAGE_TYPE);
    }

    /** The path of the element that posted the message ({@code /GstPipeline:pipeline0/GstX264Enc:enc}), or "". */
    String messageSource(Pointer message) {
        Pointer src = message.getPointer(MESSAGE_SRC);
        if (src == null) {
            return "";
        }
        Pointer path = core.gst_object_get_path_string(src);
        if (path == null) {
            return "";
        }
        try {
            return path.getString(0, "UTF-8");
        } finally {
            glib.g_free(path);
        }
    }

    /** The text of an error or warning message ("message (debug)"). */
    String messageText(Pointer message) {
        PointerByReference err = new PointerByReference();
        PointerByReference debug = new PointerByReference();
        if (messageType(message) == MESSAGE_ERROR) {
            core.gst_message_parse_error(message, err, debug);
        } else {
            core.gst_message_parse_warning(message, err, debug);
        }
        String text = errorText(err.getValue());
        Pointer d = debug.getValue();
        if (d != null) {
            String dt = d.getString(0, "UTF-8");
            glib.g_free(d);
            // the debug text's last line names the cause best ("Could not connect to server")
            String last = dt.lines().reduce((a, b) -> b).orElse("").trim();
            if (!last.isEmpty() && !text.contains(last)) {
                text = text + " (" + last + ")";
            }
        }
        return text.replace('\n', ' ');
    }

    /** Reads a GError and frees it. */
    private static String errorTextOf(GLib glib, Pointer error) {
        if (error == null) {
            return "unknown error";
        }
        Pointer message = error.getPointer(8);
        String text = message == null ? "unknown error" : message.getString(0, "UTF-8");
        glib.g_error_free(error);
        return text;
    }
}
