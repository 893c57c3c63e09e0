package io.github.scanout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Whether a GPU-less driver stack can import a dma-buf (issue 18's question for the GL sink's
 * zero-copy path): the guest kernel has DRM with vgem and vkms and no GPU driver, and the host's
 * Mesa (over 9p) is asked through {@code eglinfo} (Debian's mesa-utils-bin) on every EGL platform,
 * plain and with the software KMS driver forced. Prints what each platform offers; asserts only
 * that the DRM devices exist. Run on demand: {@code kernel-e2e/run --only SoftwareImportKernelCheck}.
 */
class SoftwareImportKernelCheck {
    static final String EGLINFO = "/usr/bin/eglinfo.x86_64-linux-gnu";

    @Test
    void printWhatEachEglPlatformOffersOnVgemAndVkms() throws Exception {
        List<String> cards = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/sys/class/drm"))) {
            s.filter(p -> p.getFileName().toString().matches("(card|renderD)\\d+")).sorted().forEach(p -> {
                String driver;
                try {
                    driver = Files.readSymbolicLink(p.resolve("device/driver")).getFileName().toString();
                } catch (IOException e) {
                    driver = "? (" + e + ")";
                }
                cards.add(p.getFileName() + " " + driver);
            });
        }
        System.out.println("scanout-e2e: drm nodes: " + cards);
        assertThat(cards).anyMatch(c -> c.endsWith(" vgem")).anyMatch(c -> c.endsWith(" vkms"));
        if (!Files.isExecutable(Path.of(EGLINFO))) {
            System.out.println("scanout-e2e: no " + EGLINFO + " (apt-get install mesa-utils-bin)");
            return;
        }
        eglinfo("plain", Map.of());
        eglinfo("kms_swrast forced", Map.of("MESA_LOADER_DRIVER_OVERRIDE", "kms_swrast", "GBM_ALWAYS_SOFTWARE", "1"));
    }

    private static void eglinfo(String label, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(EGLINFO, "-B").redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("EGL_LOG_LEVEL", "debug");
        pb.environment().put("XDG_RUNTIME_DIR", System.getProperty("java.io.tmpdir"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(300, TimeUnit.SECONDS);
        for (String line : out.split("\n")) {
            System.out.println("scanout-e2e: eglinfo [" + label + "] " + line);
        }
    }
}
