package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code fps} of the ctl model's device objects (and so of the web console). */
class ControlCommandsFpsTest {
    static final long S = 1_000_000_000L;

    private final ControlCommands commands = new ControlCommands(null, null, Map.of(), Map.of());

    @Test
    void framesCapturedPerSecondBetweenReadingsAtLeastASecondApart() {
        assertThat(commands.fps("desk", 100, 10 * S)).isZero(); // the first reading has nothing to compare with
        assertThat(commands.fps("desk", 110, 10 * S + S / 2)).isZero(); // under a second: the last full window's rate
        assertThat(commands.fps("desk", 130, 11 * S)).isEqualTo(30.0);
        assertThat(commands.fps("desk", 131, 11 * S + S / 10)).isEqualTo(30.0);
        assertThat(commands.fps("desk", 130 + 25, 13 * S)).isEqualTo(12.5); // 25 frames over 2 s
        assertThat(commands.fps("desk", 155, 15 * S)).isZero(); // a still picture
    }

    @Test
    void devicesAreMeasuredApartAndAReopenStartsAgain() {
        commands.fps("a", 0, 0);
        commands.fps("b", 0, 0);
        assertThat(commands.fps("a", 60, S)).isEqualTo(60.0);
        assertThat(commands.fps("b", 1, S)).isEqualTo(1.0);
        assertThat(commands.fps("a", 5, 2 * S)).isZero(); // counters start again after a reopen
        assertThat(commands.fps("a", 35, 3 * S)).isEqualTo(30.0);
        assertThat(commands.fps("c", 7, 2 * S / 3)).isZero();
        assertThat(commands.fps("c", 9, 2 * S / 3 + 3 * S)).isEqualTo(0.7); // one decimal
    }
}
