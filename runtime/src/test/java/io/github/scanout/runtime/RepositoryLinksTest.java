package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clone of the repository explains itself: no Markdown file, Java comment (javadoc included),
 * pom or bnd file links to or names a file that is not in the repository.
 *
 * <ul>
 *   <li>Markdown: every relative link {@code [text](target)} or {@code ![alt](target)} names an
 *       existing file or directory (relative to the Markdown file), and a {@code #fragment} on a
 *       Markdown target names one of its headings (GitHub's anchors).</li>
 *   <li>Everywhere scanned: every name ending in {@code .md} (in text, backticks, javadoc
 *       {@code {@code ...}}) is a file relative to the file's directory, its module (the nearest
 *       directory with a {@code pom.xml}) or the repository root, and nothing names a path in the {@code shared}
 *       directory (notes outside the repository that a clone does not have).</li>
 * </ul>
 *
 * Reads the working tree directly (never {@code target/}, {@code .git} or other hidden
 * directories). A self-test on a small tree checks the checker finds what it should.
 */
class RepositoryLinksTest {

    /** {@code [text](target)} and {@code ![alt](target)}; the target up to white space or ')'. */
    private static final Pattern MD_LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** A name of a Markdown file: letters, digits, '.', '_', '-' and '/', ending in .md. */
    private static final Pattern MD_NAME = Pattern.compile("(?<![\\w./-])((?:\\.{1,2}/)*[\\w][\\w.-]*(?:/[\\w.-]+)*\\.md)(?![\\w])");
    /** A path in the {@code shared} directory: research notes this project started from, not part of a clone. */
    private static final Pattern SHARED = Pattern.compile("(?<![\\w./-])shared/(?:[\\w./-]*[\\w/])?");
    private static final Pattern FENCED_BLOCK = Pattern.compile("(?ms)^\\s*```.*?^\\s*```[^\\n]*$");
    private static final Pattern STRING_LITERAL = Pattern.compile("\"(?:\\\\.|[^\"\\\\\\n])*\"");
    private static final Pattern BLOCK_COMMENT = Pattern.compile("(?s)/\\*.*?\\*/");
    private static final Pattern LINE_COMMENT = Pattern.compile("//[^\\n]*");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*#*\\s*$");

    @Test
    void noFileInTheRepositoryNamesAMissingFile() throws IOException {
        Path root = repositoryRoot();
        List<Path> scanned = filesToScan(root);
        assertThat(scanned).as("files scanned under " + root)
                .anyMatch(p -> p.endsWith("README.md"))
                .anyMatch(p -> p.toString().endsWith(".java"))
                .hasSizeGreaterThan(100);
        assertThat(problems(root, scanned)).as("references to files that are not in the repository").isEmpty();
    }

    @Test
    void theCheckerFindsBrokenLinksNamesAndAnchors(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.createDirectories(root.resolve("mod/src/main/java/x"));
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.writeString(root.resolve("mod/pom.xml"), "<project/>");
        Files.writeString(root.resolve("mod/NOTES.md"), "# Notes\n");
        Files.writeString(root.resolve("README.md"), String.join("\n",
                "# Title", "## Some `code` here, too", "",
                "[ok](docs/abi.md) [ok anchor](docs/abi.md#7-validation-rules) [web](https://example.org/x.md)",
                "[bad](docs/nope.md) [bad anchor](docs/abi.md#8-missing) [self](#some-code-here-too)",
                "See docs/abi.md and `MISSING.md`; notes in " + "shared" + "/docs/ABI.md.",
                "```", "docs/in-a-fence.md is an example, not a reference", "```", ""));
        Files.writeString(root.resolve("docs/abi.md"), "# ABI\n## 7. Validation rules\n[up](../README.md)\n");
        Files.writeString(root.resolve("mod/src/main/java/x/A.java"), String.join("\n",
                "package x;", "/** See {@code docs/abi.md} and {@code NOTES.md}; not {@code GONE.md}. */",
                "class A { String s = \"docs/string-literal.md\"; } // see OLD.md", ""));

        List<String> found = problems(root, filesToScan(root));

        assertThat(found).containsExactlyInAnyOrder(
                "README.md: link to docs/nope.md: no such file",
                "README.md: link to docs/abi.md#8-missing: docs/abi.md has no heading with anchor #8-missing",
                "README.md: names MISSING.md: no such file",
                "README.md: names " + "shared" + "/docs/ABI.md: shared/ is not in the repository",
                "mod/src/main/java/x/A.java: names GONE.md: no such file",
                "mod/src/main/java/x/A.java: names OLD.md: no such file");
    }

    // ---- the checker ---------------------------------------------------------------------------

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))
                && Files.isRegularFile(dir.resolve("pom.xml")))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("no repository root (README.md, docs/, pom.xml) above " + Path.of("").toAbsolutePath())
                .isNotNull();
        return dir;
    }

    /** Markdown, Java sources, poms, bnd files and scripts, outside target/ and hidden directories. */
    private static List<Path> filesToScan(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> {
                        for (Path part : root.relativize(p.getParent() == null ? p : p.getParent())) {
                            String s = part.toString();
                            if (s.equals("target") || (s.startsWith(".") && !s.equals(".ci")) || s.equals("node_modules")) {
                                return false;
                            }
                        }
                        String n = p.getFileName().toString();
                        return n.endsWith(".md") || n.endsWith(".java") || n.equals("pom.xml") || n.endsWith(".bnd")
                                || n.endsWith(".sh");
                    })
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    static List<String> problems(Path root, List<Path> files) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path file : files) {
            String name = root.relativize(file).toString();
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String scanned;
            if (name.endsWith(".md")) {
                scanned = FENCED_BLOCK.matcher(text).replaceAll("");
                checkMarkdownLinks(root, file, name, scanned, out);
                scanned = MD_LINK.matcher(scanned).replaceAll(" ");
            } else if (name.endsWith(".java")) {
                scanned = comments(text);
            } else {
                scanned = text;
            }
            checkNames(root, file, name, scanned, out);
        }
        return out;
    }

    private static String comments(String source) {
        // string literals are not comments (and may hold "/*" or "//")
        String java = STRING_LITERAL.matcher(source).replaceAll("\"\"");
        StringBuilder b = new StringBuilder();
        Matcher m = BLOCK_COMMENT.matcher(java);
        while (m.find()) {
            b.append(m.group()).append('\n');
        }
        // line comments outside block comments; a "//" inside a string literal (a URL) is rare
        // in this code base and a false name there would only be a false alarm, never a miss
        Matcher l = LINE_COMMENT.matcher(BLOCK_COMMENT.matcher(java).replaceAll(" "));
        while (l.find()) {
            b.append(l.group()).append('\n');
        }
        return b.toString();
    }

    private static void checkMarkdownLinks(Path root, Path file, String name, String text, List<String> out) {
        Matcher m = MD_LINK.matcher(text);
        while (m.find()) {
            String target = m.group(1);
            if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                continue; // https:, mailto:...
            }
            int hash = target.indexOf('#');
            String path = hash < 0 ? target : target.substring(0, hash);
            String fragment = hash < 0 ? null : target.substring(hash + 1);
            Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
            if (!resolved.startsWith(root) || !Files.exists(resolved)) {
                out.add(name + ": link to " + target + ": no such file");
                continue;
            }
            if (fragment != null && !fragment.isEmpty() && resolved.toString().endsWith(".md")
                    && !anchors(resolved).contains(fragment)) {
                out.add(name + ": link to " + target + ": " + (path.isEmpty() ? name : path)
                        + " has no heading with anchor #" + fragment);
            }
        }
    }

    private static void checkNames(Path root, Path file, String name, String text, List<String> out) {
        Set<String> reported = new HashSet<>();
        Matcher s = SHARED.matcher(text);
        while (s.find()) {
            if (reported.add(s.group())) {
                out.add(name + ": names " + s.group() + ": shared/ is not in the repository");
            }
        }
        Matcher m = MD_NAME.matcher(text);
        Path module = module(root, file);
        while (m.find()) {
            String ref = m.group(1);
            if (ref.startsWith("shared/") || !reported.add(ref)) {
                continue;
            }
            boolean exists = Stream.of(file.getParent(), module, root)
                    .map(base -> base.resolve(ref).normalize())
                    .anyMatch(p -> p.startsWith(root) && Files.isRegularFile(p));
            if (!exists) {
                out.add(name + ": names " + ref + ": no such file");
            }
        }
    }

    /** The nearest directory at or above the file's that has a pom.xml (else the root). */
    private static Path module(Path root, Path file) {
        Path dir = file.getParent();
        while (dir != null && dir.startsWith(root) && !Files.isRegularFile(dir.resolve("pom.xml"))) {
            dir = dir.getParent();
        }
        return dir == null || !dir.startsWith(root) ? root : dir;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered. */
    private static Set<String> anchors(Path md) {
        Set<String> out = new HashSet<>();
        String text;
        try {
            text = FENCED_BLOCK.matcher(Files.readString(md, StandardCharsets.UTF_8)).replaceAll("");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Matcher m = HEADING.matcher(text);
        while (m.find()) {
            String slug = m.group(1).toLowerCase(Locale.ROOT)
                    .replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
                    .replaceAll("[^\\p{L}\\p{N} _-]", "")
                    .replace(' ', '-');
            String unique = slug;
            for (int i = 1; !out.add(unique); i++) {
                unique = slug + "-" + i;
            }
        }
        return out;
    }
}
