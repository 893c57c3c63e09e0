package io.github.scanout.sink.video.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One running GStreamer pipeline whose source is an {@code appsrc} named {@value #SOURCE}: parse,
 * play, push raw frames, watch the bus, finish with end-of-stream. Counts the buffers and bytes
 * that leave the element named {@value #COUNTED} (the encoder), when there is one, else those
 * that leave the source.
 *
 * <p>Threads: one thread pushes, polls and finishes; the counts may be read from any thread
 * (GStreamer's streaming threads update them).
 */
final class GstPipeline implements AutoCloseable {
    static final String SOURCE = "scanout_src";
    static final String COUNTED = "scanout_enc";
    static final String SINK = "scanout_sink";

    private final Gst gst;
    private final Pointer pipeline;
    private final Pointer appsrc;
    private final Pointer bus;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    // strongly held: GStreamer calls it from its streaming threads for the pipeline's life
    private final Gst.ProbeCallback probe;
    // strongly held, as probe: the buffers reaching the sink element, when someone asked
    private final Gst.ProbeCallback sinkProbe;
    private boolean closed;
    private final String location;
    private volatile java.util.List<java.nio.file.Path> deleteAfterFinish = java.util.List.of();

    /**
     * Parses the description and sets the sink's properties (a location is set as a property, so
     * that no path or URL is ever quoted into gst-launch text).
     *
     * @param sinkProperties string properties of the element named {@value #SINK}
     * @throws IllegalStateException one line: GStreamer's parse error, or a missing element
     */
    GstPipeline(Gst gst, String description, Map<String, String> sinkProperties) {
        this(gst, description, sinkProperties, null);
    }

    /** What reaches the pipeline's sink element: a buffer's PTS and the time it arrived ({@link System#nanoTime()}). */
    interface Arrivals {
        void arrived(long ptsNanos, long nowNanos);
    }

    /**
     * As above, and tells {@code arrivals} (when not null) of every buffer that reaches the
     * static sink pad of the element named {@value #SINK}: the encoded packet leaving the pipeline.
     */
    GstPipeline(Gst gst, String description, Map<String, String> sinkProperties, Arrivals arrivals) {
        this.gst = gst;
        Pointer p = parse(gst, description);
        Pointer src = gst.core.gst_bin_get_by_name(p, SOURCE);
        if (src == null) {
            gst.core.gst_object_unref(p);
            throw new IllegalStateException("the pipeline has no appsrc named " + SOURCE);
        }
        if (!sinkProperties.isEmpty()) {
            Pointer sink = gst.core.gst_bin_get_by_name(p, SINK);
            if (sink != null) {
                for (Map.Entry<String, String> e : sinkProperties.entrySet()) {
                    gst.glib.g_object_set(sink, e.getKey(), e.getValue(), null);
                }
                gst.core.gst_object_unref(sink);
            }
        }
        this.location = sinkProperties.get("location");
        this.pipeline = p;
        this.appsrc = src;
        this.bus = gst.core.gst_element_get_bus(p);
        this.probe = (pad, info, data) -> {
            Pointer buffer = info.getPointer(16);
            if (buffer != null) {
                frames.incrementAndGet();
                bytes.addAndGet(gst.core.gst_buffer_get_size(buffer));
            }
            return Gst.PROBE_OK;
        };
        Pointer counted = gst.core.gst_bin_get_by_name(p, COUNTED);
        Pointer pad = gst.core.gst_element_get_static_pad(counted != null ? counted : src, "src");
        if (pad != null) {
            gst.core.gst_pad_add_probe(pad, Gst.PROBE_BUFFER, probe, null, null);
            gst.core.gst_object_unref(pad);
        }
        if (counted != null) {
            gst.core.gst_object_unref(counted);
        }
        Gst.ProbeCallback last = null;
        Pointer sink = arrivals == null ? null : gst.core.gst_bin_get_by_name(p, SINK);
        if (sink != null) {
            Pointer sinkPad = gst.core.gst_element_get_static_pad(sink, "sink");
            if (sinkPad != null) {
                last = (probedPad, info, data) -> {
                    Pointer buffer = info.getPointer(16);
                    if (buffer != null) {
                        arrivals.arrived(Gst.pts(buffer), System.nanoTime());
                    }
                    return Gst.PROBE_OK;
                };
                gst.core.gst_pad_add_probe(sinkPad, Gst.PROBE_BUFFER, last, null, null);
                gst.core.gst_object_unref(sinkPad);
            }
            gst.core.gst_object_unref(sink);
        }
        this.sinkProbe = last;
    }

    /**
     * Parses a description and throws it away: the check of a configuration's {@code pipeline}.
     *
     * @throws IllegalStateException with GStreamer's parse error (naming the Debian package for
     *     a missing element this sink knows)
     */
    static void check(Gst gst, String description) {
        gst.core.gst_object_unref(parse(gst, description));
    }

    /**
     * Whether the pipeline after the source takes frames of this format as dma-buf memory
     * ({@code video/x-raw(memory:DMABuf)}): GStreamer's caps query, through every element, of
     * the source's peer. A description that converts or encodes in system memory first
     * ({@code videoconvert}, {@code x264enc}) answers no; one that starts with an element taking
     * dma-bufs ({@code vapostproc}, {@code vah264enc}, {@code glupload}) answers yes.
     */
    static boolean takesDmaBuf(Gst gst, String description, String format) {
        Pointer p = parse(gst, description);
        Pointer src = gst.core.gst_bin_get_by_name(p, SOURCE);
        Pointer pad = src == null ? null : gst.core.gst_element_get_static_pad(src, "src");
        Pointer filter = gst.core.gst_caps_from_string("video/x-raw(" + DMABUF_FEATURE + "),format=" + format);
        try {
            if (pad == null || filter == null) {
                return false;
            }
            Pointer answer = gst.core.gst_pad_peer_query_caps(pad, filter);
            if (answer == null) {
                return false;
            }
            boolean takes = !gst.core.gst_caps_is_empty(answer);
            gst.core.gst_mini_object_unref(answer);
            return takes;
        } finally {
            if (filter != null) {
                gst.core.gst_mini_object_unref(filter);
            }
            if (pad != null) {
                gst.core.gst_object_unref(pad);
            }
            if (src != null) {
                gst.core.gst_object_unref(src);
            }
            gst.core.gst_object_unref(p);
        }
    }

    /** GStreamer's caps feature of dma-buf memory. */
    static final String DMABUF_FEATURE = "memory:DMABuf";

    /** Whether a self-contained description plays to its end within the timeout (an encoder's self-test). */
    static boolean runsToEnd(Gst gst, String description, long timeoutNanos) {
        Pointer p = parse(gst, description);
        Pointer bus = gst.core.gst_element_get_bus(p);
        try {
            if (gst.core.gst_element_set_state(p, Gst.STATE_PLAYING) == Gst.STATE_CHANGE_FAILURE) {
                return false;
            }
            Pointer m = gst.core.gst_bus_timed_pop_filtered(bus, timeoutNanos, Gst.MESSAGE_ERROR | Gst.MESSAGE_EOS);
            if (m == null) {
                return false;
            }
            boolean eos = Gst.messageType(m) == Gst.MESSAGE_EOS;
            gst.core.gst_mini_object_unref(m);
            return eos;
        } finally {
            gst.core.gst_element_set_state(p, Gst.STATE_NULL);
            gst.core.gst_object_unref(bus);
            gst.core.gst_object_unref(p);
        }
    }

    private static Pointer parse(Gst gst, String description) {
        PointerByReference err = new PointerByReference();
        Pointer p = gst.core.gst_parse_launch(description, err);
        if (err.getValue() != null) {
            String text = gst.errorText(err.getValue());
            if (p != null) {
                gst.core.gst_object_unref(p);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("no element \"([^\"]+)\"").matcher(text);
            if (m.find()) {
                throw new IllegalStateException(Elements.missing(m.group(1)));
            }
            throw new IllegalStateException("GStreamer cannot parse the pipeline: " + text);
        }
        if (p == null) {
            throw new IllegalStateException("GStreamer cannot parse the pipeline");
        }
        return p;
    }

    /** Sets the caps of the frames pushed from now on (a mode change renegotiates downstream). */
    void caps(String caps) {
        Pointer c = gst.core.gst_caps_from_string(caps);
        if (c == null) {
            throw new IllegalArgumentException("GStreamer does not read the caps " + caps);
        }
        gst.app.gst_app_src_set_caps(appsrc, c);
        gst.core.gst_mini_object_unref(c);
    }

    /** Starts it. @throws IllegalStateException when GStreamer refuses to (the bus says why) */
    void play() {
        if (gst.core.gst_element_set_state(pipeline, Gst.STATE_PLAYING) == Gst.STATE_CHANGE_FAILURE) {
            String why = poll(0);
            throw new IllegalStateException(why == null ? "GStreamer would not start the pipeline" : why);
        }
    }

    /** Buffers waiting in the source. */
    long queued() {
        return gst.app.gst_app_src_get_current_level_buffers(appsrc);
    }

    /**
     * Pushes one frame.
     *
     * @param pixels a direct buffer whose first {@code size} bytes are the frame
     * @return whether GStreamer took it ({@code GST_FLOW_OK})
     */
    boolean push(ByteBuffer pixels, int size, long ptsNanos, long durationNanos) {
        Pointer b = gst.core.gst_buffer_new_allocate(null, size, null);
        if (b == null) {
            return false;
        }
        gst.core.gst_buffer_fill(b, 0, Native.getDirectBufferPointer(pixels), size);
        Gst.setPts(b, ptsNanos, durationNanos);
        // push_buffer takes the buffer's reference
        return gst.app.gst_app_src_push_buffer(appsrc, b) == Gst.FLOW_OK;
    }

    /**
     * Pushes one frame as dma-buf memory that owns {@code fd} (a {@code dup} made for this buffer:
     * GStreamer closes it when it is done with it, and it is closed here when it cannot be
     * wrapped), with a video meta giving the plane's offset and stride. The caps must have been
     * set with the {@value #DMABUF_FEATURE} feature.
     *
     * @return whether GStreamer took it
     */
    boolean pushDmaBuf(int fd, long size, String format, int width, int height, long offset, int stride,
            long ptsNanos, long durationNanos) {
        Gst.DmaBufLibs d = gst.dmaBuf();
        int own = fd;
        Pointer memory = d.allocators().gst_dmabuf_allocator_alloc(d.allocator(), own, size);
        if (memory == null) {
            d.libc().close(own);
            return false;
        }
        Pointer b = gst.core.gst_buffer_new();
        gst.core.gst_buffer_append_memory(b, memory); // the buffer takes the memory's reference
        d.video().gst_buffer_add_video_meta_full(b, 0, d.video().gst_video_format_from_string(format), width, height, 1,
                new long[] {offset, 0, 0, 0}, new int[] {stride, 0, 0, 0});
        Gst.setPts(b, ptsNanos, durationNanos);
        return gst.app.gst_app_src_push_buffer(appsrc, b) == Gst.FLOW_OK;
    }

    /**
     * The next error or end-of-stream on the bus, waiting up to the timeout; warnings are skipped.
     *
     * @return null when none, "EOS" at end of stream, else the error as one line naming its element
     */
    String poll(long timeoutNanos) {
        Pointer m = gst.core.gst_bus_timed_pop_filtered(bus, timeoutNanos, Gst.MESSAGE_ERROR | Gst.MESSAGE_EOS);
        if (m == null) {
            return null;
        }
        try {
            if (Gst.messageType(m) == Gst.MESSAGE_EOS) {
                return "EOS";
            }
            String src = gst.messageSource(m);
            int slash = src.lastIndexOf('/');
            String element = slash < 0 ? src : src.substring(slash + 1);
            return (element.isEmpty() ? "" : element + ": ") + gst.messageText(m);
        } finally {
            gst.core.gst_mini_object_unref(m);
        }
    }

    /**
     * Ends the stream and waits for the sink to finish (a file's index written), then stops.
     *
     * @return null when it finished, else why not (an error, or "timed out")
     */
    String finish(long timeoutNanos) {
        if (closed) {
            return null;
        }
        gst.app.gst_app_src_end_of_stream(appsrc);
        long deadline = System.nanoTime() + timeoutNanos;
        String result = "timed out waiting for the end of the stream";
        while (System.nanoTime() - deadline < 0) {
            String m = poll(Math.max(1, deadline - System.nanoTime()));
            if (m == null) {
                continue;
            }
            result = m.equals("EOS") ? null : m;
            break;
        }
        close();
        return result;
    }

    /** Files to delete once this pipeline has finished (older pieces of a rotated recording). */
    void deleteAfterFinish(java.util.List<java.nio.file.Path> files) {
        this.deleteAfterFinish = java.util.List.copyOf(files);
    }

    java.util.List<java.nio.file.Path> deleteAfterFinish() {
        return deleteAfterFinish;
    }

    /** {@return the location property given to the sink element, or null} */
    String location() {
        return location;
    }

    long frames() {
        return frames.get();
    }

    long bytes() {
        return bytes.get();
    }

    /** Stops at once (no end-of-stream) and frees it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        gst.core.gst_element_set_state(pipeline, Gst.STATE_NULL);
        gst.core.gst_object_unref(bus);
        gst.core.gst_object_unref(appsrc);
        gst.core.gst_object_unref(pipeline);
    }
}
