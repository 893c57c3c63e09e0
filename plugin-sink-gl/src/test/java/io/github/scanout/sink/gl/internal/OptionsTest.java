package io.github.scanout.sink.gl.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.Hotspot;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.api.support.Reporter;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Configuration parsing, placement arithmetic, the placeholder text and the once-only log. No GL. */
class OptionsTest {

    /** A GL sink configuration as ConfigAdmin hands it over: text values. */
    static java.util.Map<String, Object> config(String device, String mode, String scale, String cursor, int w, int h,
            double fps) {
        java.util.Map<String, Object> m = new java.util.HashMap<>();
        m.put("device", device);
        m.put("mode", mode);
        m.put("scale", scale);
        m.put("cursor.position", cursor);
        m.put("width", Integer.toString(w));
        m.put("height", Integer.toString(h));
        m.put("max.fps", Double.toString(fps));
        m.put("edid.resize", "true");
        m.put("egl.platform", "device");
        m.put("window.api", "native");
        return m;
    }

    @Test
    void configurationBecomesOptions() {
        GlSinkOptions o = GlSinkComponent.options(config(" sim:gvt ", "headless", "FIT", "pointer", 800, 600, 30));
        assertThat(o.device()).isEqualTo("sim:gvt");
        assertThat(o.mode()).isEqualTo(GlSinkOptions.Mode.HEADLESS);
        assertThat(o.scale()).isEqualTo(ScaleMode.FIT);
        assertThat(o.cursorOrigin()).isEqualTo(CursorOrigin.POINTER);
        assertThat(o.eglPlatform()).isEqualTo(EglPlatform.DEVICE);
        assertThat(o.windowApi()).isEqualTo(GlSinkOptions.WindowApi.NATIVE);
        assertThat(o.edidResize()).isTrue();
        assertThat(o.maxFps()).isEqualTo(30);
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> GlSinkComponent.options(config("", "window", "aspect", "top-left", 0, 0, 0)))
                .hasMessage("GL sink configuration: device = '' is refused: expected a value that is not blank");
        assertThatThrownBy(() -> GlSinkComponent.options(config("d", "tv", "aspect", "top-left", 0, 0, 0)))
                .hasMessage("GL sink configuration: mode = 'tv' is refused: expected one of window, headless");
        assertThatThrownBy(() -> GlSinkComponent.options(config("d", "window", "zoom", "top-left", 0, 0, 0)))
                .hasMessageContaining("scale").hasMessageContaining("'zoom'");
        assertThatThrownBy(() -> GlSinkComponent.options(config("d", "window", "aspect", "middle", 0, 0, 0)))
                .hasMessageContaining("cursor.position");
        assertThatThrownBy(() -> GlSinkComponent.options(config("d", "window", "aspect", "top-left", 800, 0, 0)))
                .hasMessageContaining("both width and height");
        assertThatThrownBy(() -> GlSinkComponent.options(config("d", "window", "aspect", "top-left", 0, 0, -1)))
                .hasMessage("GL sink configuration: max.fps = '-1.0' is refused: expected a number from 0 to 1000");
        assertThatThrownBy(() -> GlSinkComponent.options(config("d", "headless", "aspect", "top-left", 100000, 600, 0)))
                .hasMessageContaining("width = '100000' is refused: expected a whole number from 0 to 16384");
        java.util.Map<String, Object> big = config("d", "headless", "aspect", "top-left", 0, 0, 0);
        big.put("width", "2147483648");
        assertThatThrownBy(() -> GlSinkComponent.options(big))
                .hasMessageContaining("width = '2147483648' is refused: expected a whole number from 0 to 16384");
    }

    @Test
    void oldSpellingsAreReadAndUnknownKeysWarned() {
        java.util.Map<String, Object> m = config("d", "headless", "aspect", "top-left", 0, 0, 0);
        m.remove("max.fps");
        m.put("maxFps", "12");
        m.put("zeroCopy", "false");
        m.put("Scale", "fit");
        io.github.scanout.api.support.ConfigReader r = new io.github.scanout.api.support.ConfigReader("c", GlSinkComponent.KEYS, m);
        GlSinkOptions o = GlSinkComponent.options(r);
        assertThat(o.maxFps()).isEqualTo(12);
        assertThat(o.zeroCopy()).isFalse();
        assertThat(r.warnings()).containsExactly("c: key 'maxFps' is deprecated; it is read as 'max.fps' (rename it)",
                "c: key 'zeroCopy' is deprecated; it is read as 'zero.copy' (rename it)",
                "c: unknown key 'Scale' (keys are case-sensitive: did you mean scale?) is ignored; the keys are device,"
                        + " mode, scale, vsync, title, width, height, edid.resize, max.fps, cursor.position, zero.copy,"
                        + " egl.platform, window.api, sink.name");
    }

    @Test
    void aspectLetterboxesFitStretchesNativeCentres() {
        assertThat(ScaleMode.ASPECT.place(1024, 768, 1024, 768)).isEqualTo(new Rect(0, 0, 1024, 768));
        assertThat(ScaleMode.ASPECT.place(1024, 768, 1920, 1080)).isEqualTo(new Rect(240, 0, 1440, 1080));
        assertThat(ScaleMode.ASPECT.place(1920, 1080, 1000, 1000)).isEqualTo(new Rect(0, 218, 1000, 563));
        assertThat(ScaleMode.FIT.place(1024, 768, 500, 300)).isEqualTo(new Rect(0, 0, 500, 300));
        assertThat(ScaleMode.NATIVE.place(1024, 768, 1280, 1024)).isEqualTo(new Rect(128, 128, 1024, 768));
        assertThat(ScaleMode.NATIVE.place(1024, 768, 800, 600)).isEqualTo(new Rect(-112, -84, 1024, 768));
    }

    @Test
    void cursorOrigins() {
        assertThat(CursorOrigin.TOP_LEFT.corner(10, 20, Optional.of(new Hotspot(3, 4)))).containsExactly(10, 20);
        assertThat(CursorOrigin.POINTER.corner(10, 20, Optional.of(new Hotspot(3, 4)))).containsExactly(7, 16);
        assertThat(CursorOrigin.POINTER.corner(10, 20, Optional.empty())).containsExactly(10, 20);
    }

    @Test
    void placeholderShowsNoSignalAndTheReason() {
        int[] a = Placeholder.render("sim:mbochs", "the guest has not set a display mode");
        int[] b = Placeholder.render("sim:mbochs", "device gone");
        assertThat(a).hasSize(Placeholder.WIDTH * Placeholder.HEIGHT).contains(Placeholder.TITLE, Placeholder.TEXT);
        assertThat(a).isNotEqualTo(b);
        assertThat(Placeholder.wrap("aaa bbb ccc dddddddddd", 7)).containsExactly("aaa bbb", "ccc", "ddddddd", "ddd");
    }

    @Test
    void onceLogSaysEachConditionOnce() {
        List<String> out = new ArrayList<>();
        ConditionLog log = ConditionLog.once(((Reporter) (l, m) -> out.add(m)).prefixed("p: "));
        for (int i = 0; i < 5; i++) {
            log.report(System.Logger.Level.WARNING, "a", "import failed");
        }
        log.report(System.Logger.Level.WARNING, "b", "other");
        log.clear("a");
        log.report(System.Logger.Level.WARNING, "a", "import failed");
        assertThat(out).containsExactly("p: import failed", "p: other", "p: import failed");
    }
}
