package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.testsupport.ChildProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Values the sink or the device would refuse, given on the command line of the built
 * distribution: each is one line on stderr naming the argument, the key, the value and the
 * rule, exit status 2, and nothing started (no output, no file written, no run directory).
 */
class CommandLineRefusalIT {
    @TempDir
    Path dir;

    static Path script;

    @BeforeAll
    static void locate() {
        script = TestRuntime.dist().resolve("bin/scanout");
        assertThat(script).isExecutable();
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of(List.of("--sink", "file:x?keep=2147483648"),
                        "keep = '2147483648' is refused: expected a whole number from 0 to 2147483647"),
                Arguments.of(List.of("--sink", "gl:headless?width=2147483648"),
                        "width = '2147483648' is refused: expected a whole number from 0 to 16384"),
                Arguments.of(List.of("--sink", "gl:headless?width=100000"),
                        "width = '100000' is refused: expected a whole number from 0 to 16384"),
                Arguments.of(List.of("--sink", "file:c.raw?format=raw&cursor=true"),
                        "cursor = 'true' is refused: expected false or auto for format raw"),
                Arguments.of(List.of("--sink", "file:shots?rotate.bytes=5"),
                        "rotate.bytes = '5' is refused: expected 0 for format png"),
                Arguments.of(List.of("--sink", "file:EXISTING?format=y4m"),
                        "EXISTING is a directory, and a y4m stream is one file: give a file name, such as "),
                Arguments.of(List.of("--device", "sim:mbochs?mode=-5x-5"), "--device 'sim:mbochs?mode=-5x-5': "),
                Arguments.of(List.of("--device", "sim:mbochs?foo=bar"), "--device 'sim:mbochs?foo=bar': "),
                Arguments.of(List.of("--device", "sim:gvt?tiling=z"), "--device 'sim:gvt?tiling=z': "),
                Arguments.of(List.of("--device", "vm:abc"), "is not a vm: spec"),
                Arguments.of(List.of("--device", "libvirt:a..b"), "is not a libvirt: spec"),
                Arguments.of(List.of("--device", "fd:1"), "is not an fd: spec"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void isOneLineAndStatusTwoBeforeAnythingStarts(List<String> given, String expected) throws Exception {
        Path existing = Files.createDirectories(dir.resolve("EXISTING"));
        Files.writeString(existing.resolve("keep.txt"), "untouched");
        Path cache = dir.resolve("cache");
        List<String> cmd = new ArrayList<>(List.of(script.toString(), "run"));
        if (!given.contains("--device")) {
            cmd.addAll(List.of("--device", "sim:mdpy-vga"));
        }
        if (!given.contains("--sink")) {
            cmd.addAll(List.of("--sink", "file:shots"));
        }
        for (String g : given) {
            cmd.add(g.replace("EXISTING", existing.toString()));
        }
        cmd.addAll(List.of("--duration", "30"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("XDG_RUNTIME_DIR");
        pb.environment().put("SCANOUT_CACHE", cache.toString());
        LauncherIT.Running r = new LauncherIT.Running(ChildProcesses.start(pb));
        r.process.getOutputStream().close();
        LauncherIT.Result res = r.await();
        assertThat(res.code()).as(res.toString()).isEqualTo(2);
        assertThat(res.errLines()).as(res.toString()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("scanout: ").contains(expected.replace("EXISTING", existing.toString())));
        assertThat(res.out()).as("nothing started").isEmpty();
        try (Stream<Path> files = Files.list(dir)) {
            // the script makes the cache directory before Java starts; nothing else may appear
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("cache")).sorted())
                    .as("no file written, no sibling of the directory").containsExactly("EXISTING");
        }
        try (Stream<Path> files = Files.list(existing)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep.txt");
        }
    }
}
