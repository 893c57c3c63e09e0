package io.github.scanout.sink.gl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.buffer.PlaneBuffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle: its manifest imports only the api, OSGi and java.* (LWJGL is embedded on the
 * Bundle-ClassPath, not imported), it resolves in a plain Felix framework, and headless EGL runs
 * from inside it.
 */
class BundleResolveTest {
    private static final Path CLASSES = Path.of("target/classes");

    private static Manifest manifest() throws IOException {
        try (var in = Files.newInputStream(CLASSES.resolve("META-INF/MANIFEST.MF"))) {
            return new Manifest(in);
        }
    }

    @Test
    void importsOnlyTheApiOsgiAndJava() throws Exception {
        var attrs = manifest().getMainAttributes();
        String imports = attrs.getValue("Import-Package");
        for (String clause : imports.split(",(?=[a-z])")) {
            String pkg = clause.split(";")[0].trim();
            assertThat(pkg).as("imported package").matches("(io\\.github\\.scanout\\.api(\\..*)?|org\\.osgi\\..*|java\\..*)");
        }
        assertThat(attrs.getValue("Export-Package")).as("exports nothing").isNull();
        assertThat(attrs.getValue("Bundle-ClassPath")).startsWith(".,").contains("lib/lwjgl.jar", "lib/lwjgl-egl.jar",
                "lib/lwjgl-opengl.jar", "lib/lwjgl-glfw.jar", "lib/lwjgl-natives-linux.jar");
        for (String entry : attrs.getValue("Bundle-ClassPath").split(",")) {
            if (!entry.equals(".")) {
                assertThat(CLASSES.resolve(entry)).as("embedded " + entry).isRegularFile();
            }
        }
        assertThat(attrs.getValue("Service-Component")).contains("GlSinkComponent", "GlImporterComponent");
    }

    @Test
    void resolvesInFelixAndRunsEglFromTheBundle(@TempDir Path dir) throws Exception {
        GlTestSupport.assumeHeadlessGl();
        Path api = Path.of(PlaneBuffer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                BundleProbeMain.class.getName(), dir.resolve("cache").toString(), api.toString(),
                CLASSES.toAbsolutePath().toString()));
        for (String c : new String[] {"org.osgi.util.function.Function", "org.osgi.util.promise.Promise",
            "org.osgi.service.component.ComponentContext", "org.apache.felix.scr.impl.Activator"}) {
            cmd.add(Path.of(Class.forName(c).getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out).contains("RESOLVED true api=RESOLVED gl=RESOLVED");
        assertThat(out).as(out).contains("LOADER bundle");
        String activated = List.of(out.split("\n")).stream().filter(l -> l.startsWith("IMPORTER ACTIVATED "))
                .findFirst().orElse("");
        assertThat(activated).as(out).startsWith("IMPORTER ACTIVATED true").endsWith("name gl-headless");
        // activation does not wait for GL start-up: GL starts on the importer's own thread (how long
        // activation takes is printed, not bounded: a loaded machine makes any bound flaky)
        assertThat(out).as(out).contains("IMPORTER THREAD true");
        String probe = List.of(out.split("\n")).stream().filter(l -> l.startsWith("PROBE ")).findFirst().orElse("");
        assertThat(probe).as(out).startsWith("PROBE EGL ").doesNotContain("unavailable");
        assertThat(p.exitValue()).as(out).isZero();
    }
}
