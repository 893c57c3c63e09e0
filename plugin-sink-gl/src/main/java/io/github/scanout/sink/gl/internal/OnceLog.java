package io.github.scanout.sink.gl.internal;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Says each distinct operator message once (per key), so a condition that persists for every
 * frame is one line in the log, not one per frame. Remembers a bounded number of keys.
 *
 * <p>Threads: thread-safe.
 */
final class OnceLog {
    private static final int MAX_KEYS = 256;

    private final String prefix;
    private final BiConsumer<System.Logger.Level, String> out;
    private final Set<String> said = new LinkedHashSet<>();

    /** Logs to {@code System.Logger} {@code io.github.scanout.sink.gl} with "gl sink NAME: " in front. */
    static OnceLog system(String prefix) {
        System.Logger logger = System.getLogger("io.github.scanout.sink.gl");
        return new OnceLog(prefix, (level, message) -> logger.log(level, message));
    }

    OnceLog(String prefix, BiConsumer<System.Logger.Level, String> out) {
        this.prefix = prefix;
        this.out = out;
    }

    /** Logs the message unless this key was logged before; returns whether it logged. */
    boolean once(String key, System.Logger.Level level, String message) {
        synchronized (said) {
            if (!said.add(key)) {
                return false;
            }
            if (said.size() > MAX_KEYS) {
                var it = said.iterator();
                it.next();
                it.remove();
            }
        }
        out.accept(level, prefix + message);
        return true;
    }

    /** Logs every time (start-up, shutdown: things that happen once anyway). */
    void always(System.Logger.Level level, String message) {
        out.accept(level, prefix + message);
    }

    /** Forgets a key so the condition is reported again when it comes back. */
    void forget(String key) {
        synchronized (said) {
            said.remove(key);
        }
    }
}
