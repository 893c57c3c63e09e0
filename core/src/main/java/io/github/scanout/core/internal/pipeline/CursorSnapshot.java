package io.github.scanout.core.internal.pipeline;

import io.github.scanout.api.Hotspot;
import java.util.Optional;

/**
 * The cursor as captured: its image (shared, or null when hidden), position and hotspot, and a
 * generation that changes whenever the image (or its visibility) changes, so each sink can tell
 * {@code imageChanged} relative to what it was given last.
 *
 * <p>Threads: immutable apart from the image's reference count.
 */
final class CursorSnapshot {

    static final CursorSnapshot NONE = new CursorSnapshot(null, 0, 0, Optional.empty(), 0);

    final SharedBuffer image;
    final int x;
    final int y;
    final Optional<Hotspot> hotspot;
    final long generation;

    CursorSnapshot(SharedBuffer image, int x, int y, Optional<Hotspot> hotspot, long generation) {
        this.image = image;
        this.x = x;
        this.y = y;
        this.hotspot = hotspot;
        this.generation = generation;
    }

    boolean visible() {
        return image != null;
    }

    boolean samePlace(int nx, int ny, Optional<Hotspot> nh) {
        return x == nx && y == ny && hotspot.equals(nh);
    }

    CursorSnapshot ref() {
        if (image != null) {
            image.ref();
        }
        return this;
    }

    void unref() {
        if (image != null) {
            image.unref();
        }
    }
}
