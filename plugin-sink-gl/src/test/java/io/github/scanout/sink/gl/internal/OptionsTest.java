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

    record Config(String device, String mode, String scale, String cursor, int w, int h, double fps) implements GlSinkConfig {
        @Override
        public Class<? extends Annotation> annotationType() {
            return GlSinkConfig.class;
        }

        @Override
        public String mode() {
            return mode;
        }

        @Override
        public String scale() {
            return scale;
        }

        @Override
        public boolean vsync() {
            return true;
        }

        @Override
        public String title() {
            return "";
        }

        @Override
        public int width() {
            return w;
        }

        @Override
        public int height() {
            return h;
        }

        @Override
        public boolean edid_resize() {
            return true;
        }

        @Override
        public double maxFps() {
            return fps;
        }

        @Override
        public String cursor_position() {
            return cursor;
        }

        @Override
        public boolean zeroCopy() {
            return true;
        }

        @Override
        public String egl_platform() {
            return "device";
        }

        @Override
        public String window_api() {
            return "native";
        }
    }

    @Test
    void configurationBecomesOptions() {
        GlSinkOptions o = GlSinkComponent.options(new Config(" sim:gvt ", "headless", "FIT", "pointer", 800, 600, 30));
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
        assertThatThrownBy(() -> GlSinkComponent.options(new Config("", "window", "aspect", "top-left", 0, 0, 0)))
                .hasMessageContaining("device is required");
        assertThatThrownBy(() -> GlSinkComponent.options(new Config("d", "tv", "aspect", "top-left", 0, 0, 0)))
                .hasMessageContaining("mode").hasMessageContaining("'tv'");
        assertThatThrownBy(() -> GlSinkComponent.options(new Config("d", "window", "zoom", "top-left", 0, 0, 0)))
                .hasMessageContaining("scale").hasMessageContaining("'zoom'");
        assertThatThrownBy(() -> GlSinkComponent.options(new Config("d", "window", "aspect", "middle", 0, 0, 0)))
                .hasMessageContaining("cursor.position");
        assertThatThrownBy(() -> GlSinkComponent.options(new Config("d", "window", "aspect", "top-left", 800, 0, 0)))
                .hasMessageContaining("both width and height");
        assertThatThrownBy(() -> GlSinkComponent.options(new Config("d", "window", "aspect", "top-left", 0, 0, -1)))
                .hasMessageContaining("maxFps");
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
