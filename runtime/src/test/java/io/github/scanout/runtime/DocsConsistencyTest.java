package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the documentation honest about the code, reading the repository's sources directly (no
 * dependency on build order or on other modules' classes):
 *
 * <ul>
 *   <li>every error message quoted in a {@code ### } heading of {@code docs/troubleshooting.md}
 *       is printed by Scanout: every fixed part of the message (the text between
 *       {@code {placeholder}}s, without white space and punctuation at its ends) occurs in the
 *       string literals of one {@code *.java} under {@code *}{@code /src/main/java} (its literals
 *       concatenated in file order);</li>
 *   <li>every class name written in backticks in {@code docs/architecture.md} is the name of a
 *       source file under {@code *}{@code /src/main/java}.</li>
 * </ul>
 */
class DocsConsistencyTest {

    /** A heading that quotes a message: {@code ### `...`}. */
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^{}]*\\}");
    private static final Pattern FENCED_BLOCK = Pattern.compile("(?ms)^```.*?^```[^\\n]*$");
    private static final Pattern EDGE_PUNCTUATION = Pattern.compile("^[\\s:;,.'\"()=]+|[\\s:;,.'\"()=]+$");
    /** A class name in backticks, optionally followed by a member: {@code Fanout}, {@code PlaneBuffer.retain()}. */
    private static final Pattern CLASS_REF = Pattern.compile("[A-Z][a-z][A-Za-z0-9]*(?:[.#][A-Za-z_][A-Za-z0-9_]*(?:\\(\\))?)*");

    private static Path root;
    private static List<Path> mainSources;
    /** The published test fixtures: {@code <module>/src/test/java/.../fixture/*.java}. */
    private static List<Path> fixtureSources;

    @BeforeAll
    static void findRepository() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docs/troubleshooting.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("no docs/troubleshooting.md above " + Path.of("").toAbsolutePath()).isNotNull();
        root = dir;
        // only <module>/src/main/java: never target/ or .git, which other processes may be changing
        List<Path> roots;
        try (Stream<Path> modules = Files.list(root)) {
            roots = modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).sorted()
                    .collect(Collectors.toList());
        }
        List<Path> found = new ArrayList<>();
        for (Path r : roots) {
            try (Stream<Path> files = Files.walk(r)) {
                files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(found::add);
            }
        }
        mainSources = found;
        assertThat(mainSources).as("main sources under " + root).hasSizeGreaterThan(50);
        List<Path> fixtures = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path r : modules.map(m -> m.resolve("src/test/java")).filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.walk(r)) {
                    files.filter(p -> p.toString().endsWith(".java") && p.getParent().endsWith("fixture")).sorted()
                            .forEach(fixtures::add);
                }
            }
        }
        fixtureSources = fixtures;
    }

    @Test
    void everyTroubleshootingMessageIsPrintedByScanout() throws IOException {
        List<String> messages = new ArrayList<>();
        List<String> headingsWithoutMessage = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("docs/troubleshooting.md"), StandardCharsets.UTF_8)) {
            if (!line.startsWith("### ")) {
                continue;
            }
            Matcher m = CODE_SPAN.matcher(line);
            boolean any = false;
            while (m.find()) {
                messages.add(m.group(1));
                any = true;
            }
            if (!any) {
                headingsWithoutMessage.add(line);
            }
        }
        assertThat(headingsWithoutMessage).as("### headings of docs/troubleshooting.md must quote a message in backticks")
                .isEmpty();
        assertThat(messages).as("messages quoted in docs/troubleshooting.md").hasSizeGreaterThan(20);

        List<String> literals = new ArrayList<>();
        for (Path p : mainSources) {
            literals.add(joinedLiterals(Files.readString(p, StandardCharsets.UTF_8)));
        }

        List<String> missing = unprinted(messages, literals);
        assertThat(missing)
                .as("docs/troubleshooting.md quotes text that no */src/main/java source prints")
                .isEmpty();
    }

    @Test
    void everyClassNamedInTheArchitectureExists() throws IOException {
        Set<String> sources = Stream.concat(mainSources.stream(), fixtureSources.stream())
                .map(p -> p.getFileName().toString().replaceFirst("\\.java$", ""))
                .collect(Collectors.toCollection(TreeSet::new));
        String text = FENCED_BLOCK.matcher(Files.readString(root.resolve("docs/architecture.md"), StandardCharsets.UTF_8))
                .replaceAll("");
        Set<String> named = new LinkedHashSet<>();
        Matcher m = CODE_SPAN.matcher(text);
        while (m.find()) {
            String span = m.group(1);
            if (CLASS_REF.matcher(span).matches()) {
                named.add(span.split("[.#]", 2)[0]);
            }
        }
        assertThat(named).as("class names in backticks in docs/architecture.md").hasSizeGreaterThan(20);
        List<String> missing = named.stream().filter(n -> !sources.contains(n)).collect(Collectors.toList());
        assertThat(missing).as("docs/architecture.md names classes that have no source file under */src/main/java (or a published"
                        + " fixture package under */src/test/java)")
                .isEmpty();
    }

    @Test
    void aMessageIsPrintedOnlyWhenAllItsFixedPartsAreInOneSource() {
        List<String> sources = List.of(joinedLiterals("throw new X(\"no mdev \" + id + \": \" + dir + \" does not exist\");"),
                joinedLiterals("log(\"permission denied on \" + path);"));
        assertThat(unprinted(List.of("no mdev {uuid}: {path} does not exist"), sources)).isEmpty();
        assertThat(unprinted(List.of("no mdev {uuid}: {path} is missing"), sources))
                .containsExactly("`no mdev {uuid}: {path} is missing`: no source prints [is missing]");
        assertThat(unprinted(List.of("no mdev {uuid}: permission denied on {path}"), sources))
                .containsExactly("`no mdev {uuid}: permission denied on {path}`: its fixed parts [no mdev, permission denied on]"
                        + " are not all in one source file");
        assertThat(unprinted(List.of("{only} {placeholders}"), sources)).hasSize(1);
    }

    @Test
    void placeholdersSplitAMessageIntoItsFixedParts() {
        assertThat(fixedParts("permission denied on {path} (IOMMU group {N} of mdev {uuid}): {errno}"))
                .containsExactly("permission denied on", "IOMMU group", "of mdev");
        assertThat(fixedParts("{pid}: {key} = '{value}' is refused: {why}")).containsExactly("is refused");
        assertThat(joinedLiterals("x(\"a \" + b + \"c\"\n    + \"d \\\"q\\\"\"); char c = '\"'; // it's \"no\"\n"
                + "/* \"not\" */ y.append(\"\\u00e9\\t\");"))
                .isEqualTo("a cd \"q\"\u00e9\t");
    }

    /** The messages whose fixed parts are not all in the literals of one source, each with why. */
    static List<String> unprinted(List<String> messages, List<String> literals) {
        List<String> missing = new ArrayList<>();
        for (String message : messages) {
            List<String> fixed = fixedParts(message);
            if (fixed.isEmpty()) {
                missing.add("`" + message + "`: has no fixed text");
                continue;
            }
            boolean inOneFile = literals.stream().anyMatch(text -> fixed.stream().allMatch(text::contains));
            if (!inOneFile) {
                List<String> nowhere = fixed.stream()
                        .filter(part -> literals.stream().noneMatch(text -> text.contains(part)))
                        .collect(Collectors.toList());
                missing.add("`" + message + "`: " + (nowhere.isEmpty()
                        ? "its fixed parts " + fixed + " are not all in one source file"
                        : "no source prints " + nowhere));
            }
        }
        return missing;
    }

    /**
     * The text between placeholders, without the white space and punctuation at its ends (what
     * surrounds a placeholder, such as quotes, a colon or parentheses, is often a separate
     * literal or comes from a caller), without empty parts.
     */
    static List<String> fixedParts(String message) {
        List<String> out = new ArrayList<>();
        for (String s : PLACEHOLDER.split(message, -1)) {
            String t = EDGE_PUNCTUATION.matcher(s).replaceAll("");
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * The string literals of a Java source, unescaped and concatenated in file order (comments
     * and char literals skipped). Concatenating all of them lets a message built by several
     * {@code +} or {@code append} steps be found whole; a documented part that spans a
     * variable is written as a placeholder.
     */
    static String joinedLiterals(String src) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
                int eol = src.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '\'') {
                i = skipCharLiteral(src, i);
            } else if (c == '"') {
                i = src.startsWith("\"\"\"", i) ? readTextBlock(src, i, out) : readString(src, i, out);
            } else {
                i++;
            }
        }
        return out.toString();
    }

    private static int skipCharLiteral(String src, int i) {
        int j = i + 1;
        while (j < src.length() && src.charAt(j) != '\'') {
            j += src.charAt(j) == '\\' ? 2 : 1;
        }
        return j + 1;
    }

    private static int readString(String src, int i, StringBuilder lit) {
        int j = i + 1;
        while (j < src.length() && src.charAt(j) != '"') {
            char c = src.charAt(j);
            if (c == '\\' && j + 1 < src.length()) {
                j = unescape(src, j, lit);
            } else {
                lit.append(c);
                j++;
            }
        }
        return j + 1;
    }

    private static int readTextBlock(String src, int i, StringBuilder lit) {
        int j = src.indexOf('\n', i + 3);
        j = j < 0 ? src.length() : j + 1;
        while (j < src.length() && !src.startsWith("\"\"\"", j)) {
            char c = src.charAt(j);
            if (c == '\\' && j + 1 < src.length()) {
                j = unescape(src, j, lit);
            } else {
                lit.append(c);
                j++;
            }
        }
        return Math.min(src.length(), j + 3);
    }

    /** Appends the escape at {@code j} (a backslash); returns the index after it. */
    private static int unescape(String src, int j, StringBuilder lit) {
        char e = src.charAt(j + 1);
        switch (e) {
            case 'n' -> lit.append('\n');
            case 't' -> lit.append('\t');
            case 'r' -> lit.append('\r');
            case 'b' -> lit.append('\b');
            case 'f' -> lit.append('\f');
            case 's' -> lit.append(' ');
            case 'u' -> {
                int k = j + 1;
                while (k < src.length() && src.charAt(k) == 'u') {
                    k++;
                }
                if (k + 4 <= src.length()) {
                    try {
                        lit.append((char) Integer.parseInt(src.substring(k, k + 4), 16));
                        return k + 4;
                    } catch (NumberFormatException ex) {
                        throw new UncheckedIOException(new IOException("bad unicode escape at " + j, ex));
                    }
                }
                return src.length();
            }
            default -> {
                if (e >= '0' && e <= '7') {
                    int k = j + 1;
                    int v = 0;
                    while (k < src.length() && k < j + 4 && src.charAt(k) >= '0' && src.charAt(k) <= '7') {
                        v = v * 8 + (src.charAt(k) - '0');
                        k++;
                    }
                    lit.append((char) v);
                    return k;
                }
                lit.append(e); // \" \' \\
            }
        }
        return j + 2;
    }
}
