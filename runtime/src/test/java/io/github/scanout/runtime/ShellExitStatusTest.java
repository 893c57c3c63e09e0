package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The shell's {@code exit N} becomes the exit status of {@code scanout shell}. */
class ShellExitStatusTest {

    @Test
    void exitWithoutAStatusIsZeroAndAStatusIsKeptWhenItFits() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(RunCommand.shellExitStatus(null, err)).isZero();
        assertThat(RunCommand.shellExitStatus("", err)).isZero();
        assertThat(RunCommand.shellExitStatus("3", err)).isEqualTo(3);
        assertThat(RunCommand.shellExitStatus("255", err)).isEqualTo(255);
        assertThat(bytes.size()).isZero();
        assertThat(RunCommand.shellExitStatus("256", err)).isEqualTo(1);
        assertThat(RunCommand.shellExitStatus("soon", err)).isEqualTo(1);
        assertThat(bytes.toString(StandardCharsets.UTF_8).split("\\R")).containsExactly(
                "scanout: exit status '256' is not a number from 0 to 255; exiting with 1",
                "scanout: exit status 'soon' is not a number from 0 to 255; exiting with 1");
    }
}
