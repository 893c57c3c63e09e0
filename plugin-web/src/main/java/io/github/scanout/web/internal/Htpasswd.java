package io.github.scanout.web.internal;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The console's users: an Apache {@code htpasswd} file of bcrypt entries, one {@code NAME:HASH}
 * a line, as Debian's {@code htpasswd -B} (apache2-utils) writes them ({@code $2y$}, also
 * {@code $2a$} and {@code $2b$}). Blank lines and lines starting with {@code #} are skipped, as
 * Apache does. Other hash kinds of htpasswd ({@code $apr1$} MD5, {@code {SHA}}, crypt, plain
 * text) are refused: they are fast to guess. The hashes are checked with the bcrypt library
 * {@code at.favre.lib:bcrypt} (Maven Central); only the file's format is read here.
 *
 * <p>Immutable once read; any thread.
 */
final class Htpasswd {
    /** The largest file read: far more than any list of operators. */
    static final int MAX_BYTES = 1 << 20;
    /** A bcrypt hash: version, cost 04 to 31, 22 characters of salt and 31 of hash. */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
    /** Checked instead of a user that does not exist, so that both take the same time. */
    private static final byte[] NOBODY = BCrypt.with(BCrypt.Version.VERSION_2Y).hash(5,
            "nobody".getBytes(StandardCharsets.US_ASCII));

    /** A file that cannot be used; the message is one line naming the file and the line. */
    static final class BadFile extends IllegalArgumentException {
        BadFile(String message) {
            super(message);
        }
    }

    private final Map<String, byte[]> hashes;

    private Htpasswd(Map<String, byte[]> hashes) {
        this.hashes = hashes;
    }

    /**
     * Reads the file.
     *
     * @param file the file
     * @param key the configuration key that names it, for the messages
     * @throws BadFile one line: the key, the file and what is wrong
     */
    static Htpasswd read(Path file, String key) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new BadFile(key + "=" + file + " is over " + MAX_BYTES + " bytes; it should hold one NAME:HASH"
                        + " line per user");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadFile(key + "=" + file + " cannot be read (" + e.getClass().getSimpleName() + ": "
                    + WebServer.oneLine(e.getMessage()) + ")");
        }
        return parse(bytes, key + "=" + file);
    }

    /**
     * Reads the text of a file.
     *
     * @param bytes the file's bytes
     * @param source what they are, the start of every message ({@code htpasswd.file=/etc/scanout/users})
     * @return the users
     * @throws BadFile one line: {@code SOURCE line N: what is wrong}; no hash is ever quoted
     */
    static Htpasswd parse(byte[] bytes, String source) {
        if (bytes.length > MAX_BYTES) {
            throw new BadFile(source + " is over " + MAX_BYTES + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        Map<String, byte[]> hashes = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            String where = source + " line " + (i + 1) + ": ";
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new BadFile(where + "no ':' between the user name and the hash; expected NAME:HASH as htpasswd -B"
                        + " writes it");
            }
            String name = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            if (name.isEmpty()) {
                throw new BadFile(where + "the user name before ':' is empty");
            }
            if (name.chars().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c) || c == 0xfffd)) {
                throw new BadFile(where + "the user name holds white space, a control character or bytes that are not"
                        + " UTF-8");
            }
            if (hashes.containsKey(name)) {
                throw new BadFile(where + "user " + WebServer.oneLine(name) + " is listed twice");
            }
            if (!BCRYPT.matcher(hash).matches()) {
                throw new BadFile(where + "user " + WebServer.oneLine(name) + " has " + kind(hash) + "; only bcrypt"
                        + " hashes are accepted: make the line with htpasswd -B");
            }
            hashes.put(name, hash.getBytes(StandardCharsets.US_ASCII));
        }
        if (hashes.isEmpty()) {
            throw new BadFile(source + " lists no user; add one with htpasswd -B FILE NAME");
        }
        return new Htpasswd(Collections.unmodifiableMap(hashes));
    }

    /** What kind of hash a refused one is, without quoting it. */
    private static String kind(String hash) {
        if (hash.startsWith("$apr1$")) {
            return "an MD5 ($apr1$) hash";
        }
        if (hash.startsWith("{SHA}")) {
            return "a SHA-1 ({SHA}) hash";
        }
        if (hash.startsWith("$2")) {
            return "a malformed bcrypt hash";
        }
        if (hash.startsWith("$")) {
            return "a crypt() hash";
        }
        return hash.isEmpty() ? "no hash after ':'" : "a crypt() hash or a plain-text password";
    }

    /** Whether a user of that name is listed. */
    boolean has(String name) {
        return hashes.containsKey(name);
    }

    /** The names, in the file's order. */
    Iterable<String> names() {
        return hashes.keySet();
    }

    /**
     * Whether {@code password} is the password of {@code name}. An unknown name takes as long as a
     * wrong password (a fixed hash is checked instead), and a password of more than bcrypt's 72
     * bytes is wrong rather than cut.
     */
    boolean verify(String name, String password) {
        byte[] hash = hashes.get(name);
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        if (pw.length == 0 || pw.length > 72) {
            return false;
        }
        boolean ok;
        try {
            ok = BCrypt.verifyer().verify(pw, hash == null ? NOBODY : hash).verified;
        } catch (IllegalArgumentException e) {
            ok = false; // a password the library does not take
        }
        return ok && hash != null;
    }
}
