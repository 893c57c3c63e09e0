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
 * The repository's module boundaries, checked on the sources of every module:
 * <ul>
 *   <li>the main code of one module never uses a class of another module's {@code internal}
 *       package (bnd does not export those, so such code breaks in OSGi, or only when it runs),
 *       nor declares classes in another module's package;</li>
 *   <li>tests (every module's, kernel-e2e's) and the benchmarks reach another module's internals
 *       only through that module's published test fixture: its test classes in a package named
 *       {@code ...fixture} (packed as its test-jar by the parent pom's {@code test-fixture}
 *       execution), which may use its own module's internals; a module's own tests may use its
 *       own internals;</li>
 *   <li>no test code declares classes in a package another module's main code owns (that would
 *       reach its package-private members without a fixture).</li>
 * </ul>
 * Imports, static imports and fully qualified names in code count; comments and string literals
 * do not. There are no exemptions.
 *
 * <p>The repository root is this module's parent directory, or {@code -Dscanout.root=DIR} (to
 * check another checkout: {@code mvn -pl test-support test -Dtest=ModuleBoundariesTest
 * -Dscanout.root=/tmp/old}).
 */
class ModuleBoundariesTest {

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
        Map<String, Set<String>> owners = packageOwners(root);
        for (Path module : modules(root)) {
            Path dir = root.resolve(module);
            Set<String> own = ownPackages(dir);
            // a package another module's main code owns is not this module's, even if its tests declare classes in it
            own.removeIf(p -> owners.containsKey(p) && !owners.get(p).contains(module.toString()));
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
        assertThat(modules(root)).as("modules found under " + root).contains(Path.of("core"), Path.of("api"),
                Path.of("bench"), Path.of("kernel-e2e"));
        assertThat(violations(root, "main")).as("main code using another module's internal package (export an"
                + " entry point from that module, or for the bench use its published test fixture; see"
                + " docs/architecture.md, Module boundaries)").isEmpty();
    }

    @Test
    void testsReachAnotherModulesInternalsOnlyThroughItsPublishedFixture() throws IOException {
        assertThat(violations(root(), "test")).as("test code using another module's internal package (use that"
                + " module's exported API or its published test fixture, package ...fixture in its test-jar;"
                + " see docs/architecture.md, Module boundaries)").isEmpty();
    }

    @Test
    void noTestCodeDeclaresClassesInAnotherModulesPackage() throws IOException {
        Path root = root();
        Map<String, Set<String>> main = packageOwners(root);
        List<String> foreign = new ArrayList<>();
        packageOwners(root, "test").forEach((pkg, modules) -> {
            Set<String> owners = main.getOrDefault(pkg, Set.of());
            modules.stream().filter(m -> !owners.isEmpty() && !owners.contains(m))
                    .forEach(m -> foreign.add(m + " tests declare classes in " + pkg + " (main code of " + owners + ")"));
        });
        assertThat(foreign).as("test code in another module's package").isEmpty();
    }

    @Test
    void fixturePackagesAreTestCodeOfOneModule() throws IOException {
        Path root = root();
        Map<String, Set<String>> tests = packageOwners(root, "test");
        Map<String, Set<String>> main = packageOwners(root);
        List<String> wrong = new ArrayList<>();
        tests.forEach((pkg, modules) -> {
            if (pkg.endsWith(".fixture") && modules.size() > 1) {
                wrong.add(pkg + " is declared by the tests of " + modules);
            }
        });
        main.keySet().stream().filter(p -> p.endsWith(".fixture"))
                .forEach(p -> wrong.add(p + " is in main code " + main.get(p) + ": a fixture is test code, in the test-jar"));
        assertThat(wrong).as("fixture packages").isEmpty();
        assertThat(tests.keySet()).as("the published fixtures the tests, bench and kernel-e2e use")
                .contains("io.github.scanout.core.fixture", "io.github.scanout.sim.fixture");
    }

    /** Package to the modules (relative to the root) whose main code declares classes in it. */
    static Map<String, Set<String>> packageOwners(Path root) throws IOException {
        return packageOwners(root, "main");
    }

    /** Package to the modules (relative to the root) whose code of this source set declares classes in it. */
    static Map<String, Set<String>> packageOwners(Path root, String sourceSet) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Path module : modules(root)) {
            for (Path f : javaFiles(root.resolve(module).resolve("src").resolve(sourceSet).resolve("java"))) {
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
