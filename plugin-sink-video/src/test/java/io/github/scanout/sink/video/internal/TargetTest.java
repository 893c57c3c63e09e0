package io.github.scanout.sink.video.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TargetTest {
    @Test
    void theExtensionPicksTheContainer() {
        assertEquals(Target.Kind.MP4, Target.file("/rec/vm1.mp4").kind());
        assertEquals(Target.Kind.MKV, Target.file("vm1.MKV").kind());
        assertEquals(Target.Kind.WEBM, Target.file("a b/vm1.webm").kind());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.file("vm1.avi"));
        assertTrue(e.getMessage().contains(".mp4, .mkv or .webm"), e.getMessage());
    }

    @Test
    void streamUrls() {
        assertEquals(Target.Kind.RTSP, Target.stream("rtsp://server:8554/vm1").kind());
        assertEquals(Target.Kind.SRT, Target.stream("srt://h:9000?streamid=publish:vm1&latency=200").kind());
        assertEquals("srt://h:9000?streamid=publish:vm1&latency=200",
                Target.stream("srt://h:9000?streamid=publish:vm1&latency=200").location());
        assertEquals(Target.Kind.RTMP, Target.stream("rtmp://[::1]:1935/live/key").kind());
        Target hls = Target.stream("hls:/var/www/vm1/");
        assertEquals(Target.Kind.HLS, hls.kind());
        assertEquals("/var/www/vm1/", hls.location());
        assertThrows(IllegalArgumentException.class, () -> Target.stream("http://h/x"));
        assertThrows(IllegalArgumentException.class, () -> Target.stream("rtsp://h:8554"));
        assertThrows(IllegalArgumentException.class, () -> Target.stream("srt://h"));
        assertThrows(IllegalArgumentException.class, () -> Target.stream("rtsp://h:99999/x"));
        assertThrows(IllegalArgumentException.class, () -> Target.stream("rtsp://h/x\ny"));
        assertThrows(IllegalArgumentException.class, () -> Target.stream("hls:"));
    }

    @Test
    void aPasswordIsNotShown() {
        assertEquals("rtsp://me:***@h:8554/vm1", Target.stream("rtsp://me:secret@h:8554/vm1").shown());
        assertEquals("rtsp://h:8554/vm1", Target.stream("rtsp://h:8554/vm1").shown());
    }
}
