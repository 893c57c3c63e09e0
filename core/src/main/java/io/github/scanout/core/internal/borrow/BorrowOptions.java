package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import java.util.Locale;

/**
 * The options of a borrowing spec, after {@code ?}, separated by {@code &}:
 * {@code edid=write} lets Scanout write the EDID region of the borrowed device (for
 * {@code scanout edid}); {@code shared-display=allow} lets it take dma-bufs while the VMM shows
 * the device itself ({@code display=on}).
 */
record BorrowOptions(boolean edidWrites, boolean sharedDisplay) {

    static final BorrowOptions DEFAULTS = new BorrowOptions(false, false);

    static BorrowOptions parse(String query, String spec) throws DeviceException {
        boolean edid = false;
        boolean shared = false;
        if (query == null || query.isEmpty()) {
            return DEFAULTS;
        }
        for (String opt : query.split("&")) {
            switch (opt.trim().toLowerCase(Locale.ROOT)) {
                case "edid=write" -> edid = true;
                case "edid=read" -> edid = false;
                case "shared-display=allow" -> shared = true;
                case "shared-display=refuse" -> shared = false;
                default -> throw new DeviceException("unknown option '" + opt + "' in '" + spec
                        + "': expected edid=write or shared-display=allow");
            }
        }
        return new BorrowOptions(edid, shared);
    }
}
