/**
 * The video sinks: {@code video} records a device to an MP4, Matroska or WebM file, {@code stream}
 * publishes it over RTSP, SRT or RTMP or as HLS into a directory. Both hand raw frames to an
 * {@code appsrc} at the head of a GStreamer pipeline in the same process; GStreamer (the system's,
 * from Debian packages, LGPL, loaded at run time and not shipped) does the encoding, muxing and
 * networking.
 *
 * <h2>Why our own JNA binding and not gst1-java-core</h2>
 *
 * The sink needs about twenty C functions ({@link io.github.scanout.sink.video.internal.Gst}):
 * init, parse a description, find an element by name, set a string property, set caps, allocate,
 * fill and push a buffer, end the stream, read the bus, add a pad probe. gst1-java-core would
 * bring those behind a large object model (hundreds of classes, its own reference tracking with
 * cleaners, its own main-loop and signal handling) and:
 * <ul>
 *   <li>it is not an OSGi bundle: it would have to be wrapped or embedded to resolve in Felix,
 *       while core's JNA bundle is already installed and exported ({@code com.sun.jna});</li>
 *   <li>it pins a JNA version of its own next to core's;</li>
 *   <li>every call the sink makes is a plain C call whose ownership rules are GStreamer's
 *       documented ones: with twenty of them in one class, the ownership (who unrefs what) is
 *       reviewable in one page, whereas a binding's cleaners free native objects on the garbage
 *       collector's schedule on threads we do not choose.</li>
 * </ul>
 * The cost: two C macros ({@code GST_BUFFER_PTS}, {@code GST_MESSAGE_SRC}) are read at fixed
 * offsets of the 64-bit ABI; {@code Gst.load()} checks the buffer layout on a fresh buffer and
 * refuses to run on one it does not recognise, rather than writing timestamps to the wrong place.
 *
 * <h2>Missing pieces</h2>
 *
 * GStreamer's libraries and every element a pipeline uses are looked up when a configuration
 * arrives; a missing one fails the configuration with one line naming the Debian package to
 * install ({@link io.github.scanout.sink.video.internal.Elements}).
 */
package io.github.scanout.sink.video.internal;
