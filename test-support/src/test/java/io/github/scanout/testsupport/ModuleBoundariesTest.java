package io.github.scanout.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository's module boundaries, checked on the sources of every module: the main code of
 * one module never uses a class of another module's {@code internal} package (bnd does not export
 * those, so such code breaks in OSGi, or only when it runs), nor declares classes in another
 * module's package. Imports, static imports and fully
 * qualified names in code count; comments and string literals do not.
 *
 * <p>The repository root is this module's parent directory, or {@code -Dscanout.root=DIR} (to
 * check another checkout: {@code mvn -pl test-support test -Dtest=ModuleBoundariesTest
 * -Dscanout.root=/tmp/old}).
 */
class ModuleBoundariesTest {

    /**
     * The one exemption, explicit and narrow: the JMH bench (module {@code bench}) still reaches
     * these internals from its main code, until it gets a published fixture or hook. Each entry is
     * a source file of {@code bench/src/main/java} and the internal packages it may use; anything
     * else there, or anywhere else, fails. An entry that is no longer needed fails too, so the list
     * only shrinks.
     */
    static final Map<String, Set<String>> BENCH_EXEMPTIONS = Map.of(
            // the GL sink itself against a bare LWJGL loop; the sink has no exported entry point
            "bench/src/main/java/io/github/scanout/bench/GlUploadBenchmark.java",
            Set.of("io.github.scanout.sink.gl.internal"),
            // the PNG encoder alone, without a pipeline; the file sink exports no encoder
            "bench/src/main/java/io/github/scanout/bench/PngEncodeBenchmark.java",
            Set.of("io.github.scanout.sink.file.internal"),
            // the raw-ioctl baseline needs the host Kernel the pipeline uses; core exports no accessor
            "bench/src/main/java/io/github/scanout/bench/PollBenchmark.java",
            Set.of("io.github.scanout.core.internal.nativeio"),
            // a 4K mdpy the benchmark draws into as the guest; sim exports neither a 4K type nor guest writes
            "bench/src/main/java/io/github/scanout/bench/RegionDevice.java",
            Set.of("io.github.scanout.sim.internal"));

    static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /** A dotted name through an {@code internal} package, up to its first upper-case segment (the class). */
    static final Pattern INTERNAL_REF = Pattern.compile("\\b(io\\.github\\.scanout(?:\\.[a-z_][\\w]*)*\\.internal(?:\\.[a-z_][\\w]*)*)\\.[A-Z*]");

    static Path root() {
        String r = System.getProperty("scanout.root");
        return (r != null && !r.isBlank() ? Path.of(r) : Path.of("..")).toAbsolutePath().normalize();
    }

    /** Module directories (relative to the root) that have Java sources, e.g. {@code core}, {@code examples/embedded}. */
    static List<Path> modules(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.endsWith(Path.of("src", "main", "java")) || p.endsWith(Path.of("src", "test", "java")))
                    .filter(p -> root.relativize(p).toString().split("/").length >= 3)
                    .filter(p -> !root.relativize(p).toString().contains("/target/") && !root.relativize(p).startsWith(".git"))
                    .map(p -> root.relativize(p.getParent().getParent().getParent()))
                    .distinct().sorted().toList();
        }
    }

    static List<Path> javaFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The packages a module declares, in main and test code. */
    static Set<String> ownPackages(Path module) {
        Set<String> own = new TreeSet<>();
        for (String set : List.of("main", "test")) {
            for (Path f : javaFiles(module.resolve("src").resolve(set).resolve("java"))) {
                Matcher m = PACKAGE.matcher(read(f));
                if (m.find()) {
                    own.add(m.group(1));
                }
            }
        }
        return own;
    }

    /** The source without comments and without the contents of string, text-block and char literals. */
    static String code(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                while (i < n && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && src.charAt(i) != c && src.charAt(i) != '\n') {
                    i += src.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Internal packages of other modules that the file's code names. */
    static Set<String> foreignInternals(Path file, Set<String> own) {
        Set<String> found = new TreeSet<>();
        Matcher m = INTERNAL_REF.matcher(code(read(file)));
        while (m.find()) {
            if (!own.contains(m.group(1))) {
                found.add(m.group(1));
            }
        }
        return found;
    }

    /** file (relative to the root) to the other modules' internal packages its code names. */
    static Map<String, Set<String>> violations(Path root, String sourceSet) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Path module : modules(root)) {
            Path dir = root.resolve(module);
            Set<String> own = ownPackages(dir);
            for (Path f : javaFiles(dir.resolve("src").resolve(sourceSet).resolve("java"))) {
                Set<String> used = foreignInternals(f, own);
                if (!used.isEmpty()) {
                    out.put(root.relativize(f).toString(), used);
                }
            }
        }
        return out;
    }

    @Test
    void noModulesMainCodeUsesAnotherModulesInternalPackages() throws IOException {
        Path root = root();
        assertThat(modules(root)).as("modules found under " + root).contains(Path.of("core"), Path.of("api"));
        Map<String, Set<String>> found = violations(root, "main");
        Map<String, Set<String>> unexpected = new TreeMap<>(found);
        BENCH_EXEMPTIONS.forEach((file, allowed) -> {
            Set<String> rest = new TreeSet<>(unexpected.getOrDefault(file, Set.of()));
            rest.removeAll(allowed);
            if (rest.isEmpty()) {
                unexpected.remove(file);
            } else {
                unexpected.put(file, rest);
            }
        });
        assertThat(unexpected).as("main code using another module's internal package (export an entry point"
                + " from that module instead; see docs/architecture.md, Module boundaries)").isEmpty();
        List<String> stale = new ArrayList<>();
        BENCH_EXEMPTIONS.forEach((file, allowed) -> {
            Set<String> used = found.getOrDefault(file, Set.of());
            allowed.stream().filter(p -> !used.contains(p)).forEach(p -> stale.add(file + " -> " + p));
        });
        assertThat(stale).as("exemptions no longer needed: remove them from BENCH_EXEMPTIONS").isEmpty();
    }

    /** Package to the modules (relative to the root) whose main code declares classes in it. */
    static Map<String, Set<String>> packageOwners(Path root) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Path module : modules(root)) {
            for (Path f : javaFiles(root.resolve(module).resolve("src").resolve("main").resolve("java"))) {
                Matcher m = PACKAGE.matcher(read(f));
                if (m.find()) {
                    out.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(module.toString());
                }
            }
        }
        return out;
    }

    /**
     * A package belongs to one module: main code that declares a class in another module's package
     * (to reach its package-private members) breaks only when it runs after a rename there, and
     * would be a split package in OSGi.
     */
    @Test
    void noTwoModulesMainCodeDeclaresClassesInTheSamePackage() throws IOException {
        Map<String, Set<String>> split = new TreeMap<>(packageOwners(root()));
        split.values().removeIf(modules -> modules.size() < 2);
        assertThat(split).as("packages declared by the main code of more than one module (use the owning"
                + " module's public or exported entry points instead)").isEmpty();
    }

    @Test
    void theCheckSeesImportsStaticImportsAndQualifiedNamesButNotCommentsOrStrings() throws IOException {
        Path dir = Files.createTempDirectory("boundaries");
        try {
            Path f = dir.resolve("A.java");
            Files.writeString(f, String.join("\n",
                    "package io.github.scanout.mine;",
                    "import io.github.scanout.core.internal.vfio.VfioGfxDevice;",
                    "import static io.github.scanout.sim.internal.Errors.fail;",
                    "import io.github.scanout.mine.internal.Own;",
                    "// io.github.scanout.gone.internal.Comment",
                    "/** {@link io.github.scanout.doc.internal.Doc} */",
                    "class A { Object o = new io.github.scanout.sink.file.internal.FileSink();",
                    "  String s = \"io.github.scanout.text.internal.Text\"; }"));
            assertThat(foreignInternals(f, Set.of("io.github.scanout.mine", "io.github.scanout.mine.internal")))
                    .containsExactly("io.github.scanout.core.internal.vfio", "io.github.scanout.sim.internal",
                            "io.github.scanout.sink.file.internal");
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.delete(p);
                }
            }
        }
    }
}
