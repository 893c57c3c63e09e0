package io.github.scanout.api.sink;

import io.github.scanout.api.Hotspot;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.util.Optional;

/**
 * Where the cursor is and what it looks like.
 *
 * @param image a lease on the cursor image, or empty when the cursor is hidden (plane disabled)
 * @param x column of the cursor image's top-left corner relative to the primary plane, signed
 * @param y row, signed
 * @param hotspot where the pointer is inside the image, if the device said
 * @param imageChanged whether the image differs from the previous update (false: only moved)
 */
public record CursorState(Optional<PlaneBuffer> image, int x, int y, Optional<Hotspot> hotspot, boolean imageChanged) {

    /** {@return the hidden cursor} */
    public static CursorState hidden() {
        return new CursorState(Optional.empty(), 0, 0, Optional.empty(), true);
    }

    /** {@return whether the cursor is shown (it has an image)} */
    public boolean visible() {
        return image.isPresent();
    }
}
