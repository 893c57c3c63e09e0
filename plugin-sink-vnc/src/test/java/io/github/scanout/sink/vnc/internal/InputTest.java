package io.github.scanout.sink.vnc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.input.InputTarget;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The VNC sink's input path with a minimal client: view-only unless {@code input=true}; with it,
 * keys and pointer reach the device's target in order, a pointer outside the framebuffer is
 * clamped and counted, and what a viewer holds down is released when it goes.
 */
class InputTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void withInputOnKeysAndPointerReachTheTargetInOrder() throws Exception {
        RecordingTarget target = new RecordingTarget();
        try (RealClients.Server s = new RealClients.Server(Map.of("input", "true"))) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(200, 100, 1), 200, 100, 1));
            s.sink.inputTarget(Optional.of(target));
            s.awaitLog("vnc sink vnc-test: viewers' keys and pointer go to device sim:test (input=true)");
            assertThat(s.awaitLog("listening on")).endsWith("; input=true: viewers' keys and pointer go to the device");
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.key(true, 0x61);
                c.key(false, 0x61);
                c.pointer(InputTarget.BUTTON_LEFT, 10, 20);
                c.pointer(0, 10, 20);
                c.pointer(0xe0 | InputTarget.WHEEL_DOWN, 199, 99); // bits 5 to 7 mean nothing: masked off
                c.pointer(0, 199, 99);
                c.key(true, 0xff0d);
                c.key(false, 0xff0d);
                assertThat(target.await(e -> e.size() == 8, WAIT)).containsExactly("key 61 down", "key 61 up",
                        "pointer 10,20 1", "pointer 10,20 0", "pointer 199,99 16", "pointer 199,99 0", "key ff0d down",
                        "key ff0d up");
            }
            assertThat(s.awaitLog("disconnected")).contains("8 input events forwarded (0 pointer positions clamped), 0 dropped");
            assertThat(target.events()).hasSize(8); // nothing held at the end: nothing released
        }
    }

    @Test
    void aPointerOutsideTheFramebufferIsClampedAndCounted() throws Exception {
        RecordingTarget target = new RecordingTarget();
        try (RealClients.Server s = new RealClients.Server(Map.of("input", "true"))) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(200, 100, 1), 200, 100, 1));
            s.sink.inputTarget(Optional.of(target));
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.pointer(0, 200, 100);
                c.pointer(0, 65535, 5);
                c.pointer(0, 3, 65535);
                assertThat(target.await(e -> e.size() == 3, WAIT)).containsExactly("pointer 199,99 0",
                        "pointer 199,5 0", "pointer 3,99 0");
            }
            assertThat(s.awaitLog("disconnected")).contains("3 input events forwarded (3 pointer positions clamped), 0 dropped");
        }
    }

    @Test
    void keysAndButtonsAViewerHoldsAreReleasedWhenItGoes() throws Exception {
        RecordingTarget target = new RecordingTarget();
        try (RealClients.Server s = new RealClients.Server(Map.of("input", "true"))) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(200, 100, 1), 200, 100, 1));
            s.sink.inputTarget(Optional.of(target));
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.key(true, 0xffe1); // Shift_L
                c.key(true, 0x41);
                c.key(false, 0x41);
                c.pointer(InputTarget.BUTTON_RIGHT, 50, 60);
                target.await(e -> e.size() == 4, WAIT);
            } // gone with Shift and the right button down
            assertThat(target.await(e -> e.size() == 6, WAIT)).containsExactly("key ffe1 down", "key 41 down",
                    "key 41 up", "pointer 50,60 4", "key ffe1 up", "pointer 50,60 0");
        }
    }

    @Test
    void viewOnlyByDefaultNothingReachesTheTarget() throws Exception {
        RecordingTarget target = new RecordingTarget();
        try (RealClients.Server s = new RealClients.Server()) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(200, 100, 1), 200, 100, 1));
            s.sink.inputTarget(Optional.of(target));
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.key(true, 0x61);
                c.key(false, 0x61);
                c.pointer(InputTarget.BUTTON_LEFT, 10, 20);
                c.request(false);
                c.readUpdate(); // the events before the request were read (one connection, in order)
            }
            assertThat(s.awaitLog("disconnected")).contains("0 input events forwarded (0 pointer positions clamped), 3 dropped");
            assertThat(s.log).noneMatch(l -> l.contains("keys and pointer go to"));
            assertThat(s.awaitLog("listening on")).endsWith("loopback only)");
        }
        assertThat(target.events()).isEmpty();
    }

    @Test
    void inputOnWithAViewOnlyDeviceSaysSoAndDrops() throws Exception {
        try (RealClients.Server s = new RealClients.Server(Map.of("input", "true"))) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(200, 100, 1), 200, 100, 1));
            s.sink.inputTarget(Optional.empty());
            assertThat(s.awaitLog("input=true, but device")).isEqualTo("WARNING vnc sink vnc-test: input=true, but device"
                    + " sim:test takes no input (a view-only device); viewers' keys and pointer are dropped");
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.key(true, 0x61);
                c.request(false);
                c.readUpdate();
            }
            assertThat(s.awaitLog("disconnected")).contains("0 input events forwarded (0 pointer positions clamped), 1 dropped");
        }
    }

    @Test
    void afterTheSinkIsDetachedInputGoesNowhere() throws Exception {
        RecordingTarget target = new RecordingTarget();
        try (RealClients.Server s = new RealClients.Server(Map.of("input", "true"))) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(200, 100, 1), 200, 100, 1));
            s.sink.inputTarget(Optional.of(target));
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.key(true, 0x62);
                c.key(false, 0x62);
                target.await(e -> e.size() == 2, WAIT);
                s.sink.detached();
                c.key(true, 0x63);
                c.request(false);
                c.readUpdate();
            }
            assertThat(s.awaitLog("disconnected")).contains("2 input events forwarded (0 pointer positions clamped), 1 dropped");
        }
        assertThat(target.events()).isEqualTo(List.of("key 62 down", "key 62 up"));
    }

    @Test
    void aNewPipelineAttachedBeforeTheOldOneDetachesKeepsItsTarget() throws Exception {
        RecordingTarget old = new RecordingTarget();
        RecordingTarget current = new RecordingTarget();
        try (RealClients.Server s = new RealClients.Server(Map.of("input", "true"))) {
            s.sink.frame(TestFrames.frame(TestFrames.pattern(200, 100, 1), 200, 100, 1));
            s.sink.inputTarget(Optional.of(old));
            s.sink.inputTarget(Optional.of(current)); // the device's new pipeline attaches the sink
            s.sink.detached(); // then the old pipeline is closed
            try (TestClient c = TestClient.connect(s.port(), "003.008")) {
                c.key(true, 0x64);
                c.key(false, 0x64);
                assertThat(current.await(e -> e.size() == 2, WAIT)).containsExactly("key 64 down", "key 64 up");
                s.sink.detached(); // the new pipeline detaches it too: input goes nowhere now
                c.key(true, 0x65);
                c.request(false);
                c.readUpdate();
            }
            assertThat(s.awaitLog("disconnected")).contains("2 input events forwarded (0 pointer positions clamped), 1 dropped");
        }
        assertThat(old.events()).isEmpty();
        assertThat(current.events()).hasSize(2);
    }
}
