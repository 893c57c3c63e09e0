package io.github.scanout.web.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may do what on the console. Without a users file (loopback only) everyone who reaches the
 * port is the local user, who may view and control. With one ({@link Htpasswd}), every request
 * carries HTTP Basic credentials (the console is then served over TLS only): a user of the file
 * who is among the viewers may view (the page, the pictures, the JSON), one among the
 * controllers may also attach and detach.
 *
 * <p>A bcrypt check costs milliseconds at {@code htpasswd -B}'s cost 5 and a quarter of a second at
 * cost 12, and a page asks for every thumbnail each second: a login that passed is remembered
 * for {@link #REMEMBER_NANOS}, keyed by an HMAC-SHA256 of its {@code Authorization} header under a
 * random key of this console (no password or header is kept), at most {@link #REMEMBERED}
 * logins. Refused logins are never remembered.
 *
 * <p>Any thread.
 */
final class Access {
    /** The realm of the {@code WWW-Authenticate} challenge. */
    static final String CHALLENGE = "Basic realm=\"Scanout\", charset=\"UTF-8\"";

    /** A request's user and rights; name empty for the local user of a console without logins. */
    record Who(String name, boolean view, boolean control) {}

    private static final Who LOCAL = new Who("", true, true);
    /** How long a login that passed is taken without a bcrypt check. */
    static final long REMEMBER_NANOS = 60_000_000_000L;
    /** How many logins are remembered at most (then all are forgotten). */
    static final int REMEMBERED = 256;

    private final Map<String, Long> remembered = new ConcurrentHashMap<>();
    private final byte[] macKey = new byte[32];
    private final AtomicLong checks = new AtomicLong();

    private final Htpasswd users;
    private final Set<String> viewers;
    private final Set<String> controllers;

    private Access(Htpasswd users, Set<String> viewers, Set<String> controllers) {
        this.users = users;
        this.viewers = viewers;
        this.controllers = controllers;
        new SecureRandom().nextBytes(macKey);
    }

    /** No logins: the local user may view and control. */
    static Access local() {
        return new Access(null, Set.of(), Set.of());
    }

    /**
     * Logins from {@code users}; {@code viewers} and {@code controllers} as configured
     * (comma-separated names, or {@code *} for every user).
     *
     * @throws IllegalArgumentException one line naming the key and the name that is not a user
     */
    static Access of(Htpasswd users, String viewers, String controllers, String usersSource) {
        return new Access(users, names("viewers", viewers, users, usersSource),
                names("controllers", controllers, users, usersSource));
    }

    private static Set<String> names(String key, String value, Htpasswd users, String usersSource) {
        Set<String> out = new LinkedHashSet<>();
        for (String n : value.split(",")) {
            String name = n.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (name.equals("*")) {
                users.names().forEach(out::add);
            } else if (!users.has(name)) {
                throw new IllegalArgumentException(key + " = " + value.trim() + ": " + name + " is not a user of "
                        + usersSource);
            } else {
                out.add(name);
            }
        }
        return Set.copyOf(out);
    }

    /** Whether requests must log in. */
    boolean logins() {
        return users != null;
    }

    /**
     * The user of a request and their rights.
     *
     * @param authorization the request's {@code Authorization} header, or null
     * @return the user, or null when the console has logins and these credentials are missing,
     *     malformed, of no user or with a wrong password (a 401, all alike)
     */
    Who who(String authorization) {
        if (users == null) {
            return LOCAL;
        }
        String[] user = basic(authorization);
        if (user == null) {
            return null;
        }
        String key = mac(authorization);
        Long since = remembered.get(key);
        long now = System.nanoTime();
        if (since == null || now - since > REMEMBER_NANOS) {
            checks.incrementAndGet();
            if (!users.verify(user[0], user[1])) {
                remembered.remove(key);
                return null;
            }
            if (remembered.size() >= REMEMBERED) {
                remembered.clear();
            }
            remembered.put(key, now);
        }
        boolean control = controllers.contains(user[0]);
        return new Who(user[0], control || viewers.contains(user[0]), control);
    }

    /** How many bcrypt checks were made (tests). */
    long checks() {
        return checks.get();
    }

    private String mac(String authorization) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(authorization.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }

    /**
     * The user name and password of an HTTP Basic {@code Authorization} header (RFC 7617, UTF-8),
     * or null when it is not one.
     */
    static String[] basic(String authorization) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.trim();
        if (a.length() < 6 || !a.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(a.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        String pair = new String(decoded, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon <= 0 ? null : new String[] {pair.substring(0, colon), pair.substring(colon + 1)};
    }

    /** The name of a user as a one-line message may show it. */
    static String shown(String[] basic) {
        return basic == null ? "(no Basic credentials)" : "'" + WebServer.oneLine(basic[0]) + "'";
    }
}
