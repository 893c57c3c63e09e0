package io.github.scanout.sink.video.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which Debian package brings each GStreamer element this sink uses, so that a missing one is
 * one line naming the package to install.
 *
 * <p>Immutable; any thread.
 */
final class Elements {
    private Elements() {}

    private static final Map<String, String> PACKAGE = Map.ofEntries(
            Map.entry("queue", "libgstreamer1.0-0"),
            Map.entry("filesink", "libgstreamer1.0-0"),
            Map.entry("fakesink", "libgstreamer1.0-0"),
            Map.entry("appsrc", "gstreamer1.0-plugins-base"),
            Map.entry("videoconvert", "gstreamer1.0-plugins-base"),
            Map.entry("videoscale", "gstreamer1.0-plugins-base"),
            Map.entry("videotestsrc", "gstreamer1.0-plugins-base"),
            Map.entry("x264enc", "gstreamer1.0-plugins-ugly"),
            Map.entry("vp8enc", "gstreamer1.0-plugins-good"),
            Map.entry("vp9enc", "gstreamer1.0-plugins-good"),
            Map.entry("mp4mux", "gstreamer1.0-plugins-good"),
            Map.entry("matroskamux", "gstreamer1.0-plugins-good"),
            Map.entry("webmmux", "gstreamer1.0-plugins-good"),
            Map.entry("flvmux", "gstreamer1.0-plugins-good"),
            Map.entry("splitmuxsink", "gstreamer1.0-plugins-good"),
            Map.entry("h264parse", "gstreamer1.0-plugins-bad"),
            Map.entry("mpegtsmux", "gstreamer1.0-plugins-bad"),
            Map.entry("hlssink2", "gstreamer1.0-plugins-bad"),
            Map.entry("srtsink", "gstreamer1.0-plugins-bad"),
            Map.entry("rtmpsink", "gstreamer1.0-plugins-bad"),
            Map.entry("rtmp2sink", "gstreamer1.0-plugins-bad"),
            Map.entry("nvh264enc", "gstreamer1.0-plugins-bad"),
            Map.entry("vah264enc", "gstreamer1.0-plugins-bad"),
            Map.entry("qsvh264enc", "gstreamer1.0-plugins-bad"),
            Map.entry("vaapih264enc", "gstreamer1.0-vaapi"),
            Map.entry("rtspclientsink", "gstreamer1.0-rtsp"));

    /** {@return the Debian package that brings the element, or null when this map does not know it} */
    static String packageOf(String element) {
        return PACKAGE.get(element);
    }

    /** One line saying the element is missing and what to install. */
    static String missing(String element) {
        String pkg = packageOf(element);
        return "GStreamer has no element '" + element + "'" + (pkg == null ? " (install the GStreamer plugin that has it)"
                : ": install the Debian package " + pkg);
    }

    private static final Pattern ELEMENT = Pattern.compile("(?:^|!)\\s*([A-Za-z][A-Za-z0-9_-]*)(?=\\s|!|$)");

    /** The element factory names a gst-launch description starts its links with (caps filters skipped). */
    static List<String> named(String description) {
        List<String> out = new ArrayList<>();
        Matcher m = ELEMENT.matcher(description);
        while (m.find()) {
            String n = m.group(1);
            if (!n.contains("/") && !out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * Checks that GStreamer has every element.
     *
     * @throws IllegalStateException for the first one missing, naming its Debian package
     */
    static void require(Gst gst, List<String> elements) {
        for (String e : elements) {
            if (!gst.hasElement(e)) {
                throw new IllegalStateException(missing(e));
            }
        }
    }
}
