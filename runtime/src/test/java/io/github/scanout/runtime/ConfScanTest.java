package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's look at conf/ before the framework starts (does it need the GL bundles?). */
class ConfScanTest {
    @TempDir
    Path conf;

    @Test
    void aFileThatIsNotAConfigurationIsSkippedNotFatal() throws Exception {
        Files.writeString(conf.resolve("io.github.scanout.device-junk.cfg"), "garbage \u0001\n=\n\\u12\n",
                StandardCharsets.ISO_8859_1);
        assertThat(RunCommand.confNeedsGl(conf)).isFalse();
        Files.writeString(conf.resolve("io.github.scanout.device-real.cfg"), "spec = 5c1e0001-0000-4000-8000-00000000a001\n");
        assertThat(RunCommand.confNeedsGl(conf)).as("the real device after the junk one still counts").isTrue();
    }

    @Test
    void simulatedDevicesAndFileSinksNeedNoGl() throws Exception {
        Files.writeString(conf.resolve("io.github.scanout.device-a.cfg"), "spec = sim:mbochs\n");
        Files.writeString(conf.resolve("io.github.scanout.device-b.config"), "spec=\"sim:gvt\"\n");
        Files.writeString(conf.resolve("io.github.scanout.sink.file-a.cfg"), "device = a\npath = /x\n");
        assertThat(RunCommand.confNeedsGl(conf)).isFalse();
        Files.writeString(conf.resolve("io.github.scanout.sink.gl-a.cfg"), "device = a\n");
        assertThat(RunCommand.confNeedsGl(conf)).isTrue();
    }
}
