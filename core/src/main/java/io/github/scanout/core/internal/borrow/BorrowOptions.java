package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import java.util.Locale;

/**
 * The options of a borrowing spec, after {@code ?}, separated by {@code &}:
 * {@code edid=write} lets Scanout write the EDID region of the borrowed device (for
 * {@code scanout edid}); {@code shared-display=allow} lets it take dma-bufs while the VMM shows
 * the device itself ({@code display=on}); {@code via=/run/scanout/borrow.sock} borrows through
 * the borrow helper listening there instead of in this process (no right over the VMM needed).
 *
 * @param via the helper's socket path, or null to borrow here
 */
record BorrowOptions(boolean edidWrites, boolean sharedDisplay, String via) {

    static final BorrowOptions DEFAULTS = new BorrowOptions(false, false, null);

    /** The socket the packaged systemd units listen on. */
    static final String DEFAULT_SOCKET = "/run/scanout/borrow.sock";

    static BorrowOptions parse(String query, String spec) throws DeviceException {
        boolean edid = false;
        boolean shared = false;
        String via = null;
        if (query == null || query.isEmpty()) {
            return DEFAULTS;
        }
        for (String opt : query.split("&")) {
            String o = opt.trim();
            if (o.toLowerCase(Locale.ROOT).startsWith("via=")) {
                via = o.substring(4);
                if (via.equals("helper")) {
                    via = DEFAULT_SOCKET;
                }
                if (!via.startsWith("/") || via.length() > 107) {
                    throw new DeviceException("via=" + via + " in '" + spec + "' is not an absolute socket path of at"
                            + " most 107 characters (or via=helper for " + DEFAULT_SOCKET + ")");
                }
                continue;
            }
            switch (o.toLowerCase(Locale.ROOT)) {
                case "edid=write" -> edid = true;
                case "edid=read" -> edid = false;
                case "shared-display=allow" -> shared = true;
                case "shared-display=refuse" -> shared = false;
                default -> throw new DeviceException("unknown option '" + opt + "' in '" + spec
                        + "': expected edid=write, shared-display=allow or via=SOCKET");
            }
        }
        return new BorrowOptions(edid, shared, via);
    }
}
