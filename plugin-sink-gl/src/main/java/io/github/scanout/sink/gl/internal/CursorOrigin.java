package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.Hotspot;
import io.github.scanout.api.sink.CursorState;
import java.util.Locale;

/**
 * What a cursor position names. The api defines {@link CursorState#x()} / {@code y()} as the
 * cursor image's top-left corner (the hardware cursor registers' meaning, and what the file sink
 * composites); a producer that reports the pointer position instead needs the hotspot
 * subtracted to find the image's corner.
 */
public enum CursorOrigin {
    /** x, y are the image's top-left corner: the hotspot does not move the image (the api's definition). */
    TOP_LEFT,
    /** x, y are the pointer: the image's corner is x - hotspot.x, y - hotspot.y. */
    POINTER;

    public static CursorOrigin parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "top-left", "top_left", "topleft" -> TOP_LEFT;
            case "pointer", "hotspot" -> POINTER;
            default -> throw new IllegalArgumentException("cursor.position must be top-left or pointer, got '" + text + "'");
        };
    }

    /** The image's top-left corner in frame pixels: {x, y}. */
    int[] corner(int x, int y, java.util.Optional<Hotspot> hotspot) {
        if (this == POINTER && hotspot.isPresent()) {
            return new int[] {x - hotspot.get().x(), y - hotspot.get().y()};
        }
        return new int[] {x, y};
    }
}
