package io.github.scanout.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.kernel.DeviceProvider;
import java.io.InputStream;
import java.util.ServiceLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SimDevicesTest {

    @Test
    void mdpySpecs() throws DeviceException {
        SimDevice d = SimDevices.create("sim:mdpy-hd");
        assertThat(d).isInstanceOf(MdpyDevice.class);
        assertThat(((MdpyDevice) d).type()).isEqualTo(MdpyDevice.Type.HD);
        assertThat(d.name()).isEqualTo("sim:mdpy-hd");
        assertThat(d.isAnimating()).isFalse();
        assertThat(SimDevices.create("sim:mdpy-vga?animate=true").isAnimating()).isTrue();
    }

    @Test
    void mbochsSpecWithAModeSetsItThroughTheRegisters() throws DeviceException {
        MbochsDevice d = (MbochsDevice) SimDevices.create("sim:mbochs?mode=800x600&type=small");
        assertThat(d.type()).isEqualTo(MbochsDevice.Type.SMALL);
        assertThat(d.guest().read(Guest.XRES)).isEqualTo(800);
        assertThat(d.guest().read(Guest.ENABLE)).isEqualTo(Guest.ENABLED | Guest.LFB_ENABLED);
        assertThat(d.primaryPlane()).contains(new SimPlane(DrmFormat.XRGB8888, Modifier.LINEAR, 800, 600, 3200));
        assertThat(d.frame()).isZero();

        MbochsDevice cycling = (MbochsDevice) SimDevices.create("sim:mbochs?mode=640x480,800x600/5");
        assertThat(cycling.primaryPlane()).as("the cycle's first mode at once")
                .contains(new SimPlane(DrmFormat.XRGB8888, Modifier.LINEAR, 640, 480, 2560));

        MbochsDevice plain = (MbochsDevice) SimDevices.create("sim:mbochs");
        assertThat(plain.type()).isEqualTo(MbochsDevice.Type.MEDIUM);
        assertThat(plain.primaryPlane()).isEmpty();
    }

    @Test
    void gvtSpecs() throws DeviceException {
        GvtDevice d = (GvtDevice) SimDevices.create("sim:gvt?tiling=x&mmap=allow&mode=800x600&format=AR24");
        assertThat(d.primaryPlane()).contains(new SimPlane(DrmFormat.ARGB8888, Modifier.I915_X_TILED, 800, 600, 3584));
        assertThat(((GvtDevice) SimDevices.create("sim:gvt?tiling=y")).primaryPlane().orElseThrow().modifier())
                .isEqualTo(Modifier.I915_Y_TILED);
        assertThat(SimDevices.create("sim:gvt").primaryPlane().orElseThrow())
                .isEqualTo(new SimPlane(DrmFormat.XRGB8888, Modifier.LINEAR, 1024, 768, 4096));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mdpy:xga|must start with 'sim:'|sim:mdpy-vga (options animate, flap), sim:mdpy-xga (options animate, flap)",
        "sim:nope|unknown simulated device 'nope'|sim:gvt (options tiling, mmap, mode, format, animate, flap)",
        "sim:mbochs?mode=80x|option mode=80x is malformed|WIDTHxHEIGHT",
        "sim:mbochs?mode=100x100x1|option mode=100x100x1 is malformed|for example mode=1024x768",
        "sim:mbochs?mode=32x32|option mode=32x32 is malformed|from 64 to 65535",
        "sim:mbochs?type=huge|option type=huge is not accepted|small, medium, large",
        "sim:mbochs?colour=red|unknown option 'colour' for sim:mbochs|mode, type, mmap, animate",
        "sim:mdpy-vga?mode=640x480|unknown option 'mode' for sim:mdpy-vga|accepted: animate",
        "sim:gvt?tiling=z|option tiling=z is not accepted|x, y, none",
        "sim:mbochs?mode=4096x4096&type=small|needs 67108864 bytes of VRAM but type small has 4194304|larger type",
        "sim:gvt?|nothing after '?'|tiling, mmap, mode, format, animate",
        "sim:gvt?tiling|option 'tiling' is malformed|key=value",
        "sim:gvt?tiling=x&tiling=y|option 'tiling' is given twice|tiling",
        "sim:gvt?format=NOPE|format=NOPE is not a known DRM format|XR24, AR24",
        "sim:gvt?mmap=yes|option mmap=yes is not accepted|allow, refuse",
        "sim:mdpy-xga?animate=maybe|option animate=maybe is not accepted|true, false",
        "sim:gvt?mode=0x10|option mode=0x10 is malformed|from 1 to 8192",
        "sim:mbochs?mode=640x480,800x600|option mode=640x480,800x600 is malformed|two to eight of them and a period",
        "sim:mbochs?mode=640x480/5|option mode=640x480/5 is malformed|for example mode=640x480,800x600/5",
        "sim:mbochs?mode=640x480,800x600/0|option mode=640x480,800x600/0 is malformed|from 1 to 86400",
        "sim:mbochs?mode=640x480,32x32/5|option mode=32x32 is malformed|from 64 to 65535",
        "sim:mbochs?mode=640x480,4096x4096/5&type=small|mode 4096x4096 needs 67108864 bytes of VRAM|larger type",
    })
    void badSpecsSayWhatIsWrongAndWhatIsAccepted(String spec, String problem, String accepted) {
        assertThatThrownBy(() -> SimDevices.create(spec)).isInstanceOf(DeviceException.class)
                .hasMessageContaining(problem).hasMessageContaining(accepted);
    }

    @Test
    void flapVanishesAndBringsTheDeviceBackOnItsSchedule() throws Exception {
        SimDevice d = SimDevices.create("sim:mdpy-vga?flap=3/2");
        long[] now = {0};
        d.setClock(() -> now[0]);
        d.flap(java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(2));
        assertThat(d.isVanished()).isFalse();
        now[0] = java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
        assertThat(d.isVanished()).as("down after 3 s").isTrue();
        now[0] = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(4999);
        assertThat(d.isVanished()).isTrue();
        now[0] = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        assertThat(d.isVanished()).as("back after 2 s down").isFalse();
        now[0] = java.util.concurrent.TimeUnit.SECONDS.toNanos(8);
        assertThat(d.isVanished()).as("and down again").isTrue();
        d.reappear();
        d.vanish();
        now[0] = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        assertThat(d.isVanished()).as("a caller's vanish() is not undone by the schedule").isTrue();
    }

    @ParameterizedTest
    @CsvSource({"flap=0/5", "flap=5", "flap=5/86401", "flap=+5/5", "flap=a/b", "flap=5/5/5"})
    void badFlapIsRefused(String option) {
        assertThatThrownBy(() -> SimDevices.create("sim:mbochs?" + option)).isInstanceOf(DeviceException.class)
                .hasMessage("spec 'sim:mbochs?" + option + "': option " + option + " is malformed: expected UP/DOWN,"
                        + " seconds from 1 to 86400 each, for example flap=20/5");
    }

    @Test
    void nullSpec() {
        assertThatThrownBy(() -> SimDevices.create(null)).isInstanceOf(DeviceException.class)
                .hasMessageContaining("null");
    }

    @Test
    void providerCachesPerSpecAndAnimatesUnlessToldNot() throws DeviceException {
        SimDeviceProvider provider = new SimDeviceProvider();
        assertThat(provider.scheme()).isEqualTo("sim");
        SimDevice a = provider.device("sim:mbochs?mode=800x600");
        assertThat(provider.resolve("sim:mbochs?mode=800x600")).isSameAs(a);
        assertThat(provider.resolve("sim:mbochs")).isNotSameAs(a);
        assertThat(a.isAnimating()).isTrue();
        assertThat(provider.device("sim:gvt?animate=false").isAnimating()).isFalse();
        assertThatThrownBy(() -> provider.resolve("sim:what")).isInstanceOf(DeviceException.class);
        assertThat(new SimDeviceProvider().resolve("sim:mbochs?mode=800x600")).as("per provider").isNotSameAs(a);
    }

    @Test
    void providerIsRegisteredForServiceLoaderAndDeclarativeServices() throws Exception {
        assertThat(ServiceLoader.load(DeviceProvider.class).stream().map(ServiceLoader.Provider::type))
                .contains(SimDeviceProvider.class);
        try (InputStream xml = getClass().getClassLoader()
                .getResourceAsStream("OSGI-INF/io.github.scanout.sim.SimDeviceProvider.xml")) {
            assertThat(xml).as("bnd generated the DS component description").isNotNull();
            String text = new String(xml.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(text).contains("io.github.scanout.api.kernel.DeviceProvider").contains("scanout.scheme");
        }
    }
}
