package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a {@code sim:} spec into a device name and options
 * ({@code sim:<device>[?key=value[&key=value]...]}), checking names and keys against what each
 * device accepts. Values are checked by the caller, which knows their meaning.
 */
public final class SpecParser {
    private SpecParser() {}

    public static final String SCHEME = "sim:";

    /** A parsed spec: the original text, the device name and its options in order. */
    public record Spec(String text, String device, Map<String, String> options) {}

    /**
     * @param accepted device name to the option keys it accepts, in the order to list them
     * @throws DeviceException naming what is wrong and what is accepted
     */
    public static Spec parse(String spec, Map<String, List<String>> accepted) throws DeviceException {
        if (spec == null) {
            throw new DeviceException("simulated device spec is null; accepted: " + devices(accepted));
        }
        String text = spec.trim();
        if (!text.startsWith(SCHEME)) {
            throw new DeviceException("device spec '" + spec + "' is not a simulated device: it must start with '"
                    + SCHEME + "'; accepted: " + devices(accepted));
        }
        String rest = text.substring(SCHEME.length());
        int q = rest.indexOf('?');
        String device = q < 0 ? rest : rest.substring(0, q);
        List<String> keys = accepted.get(device);
        if (keys == null) {
            throw new DeviceException("spec '" + spec + "': unknown simulated device '" + device + "'; accepted: "
                    + devices(accepted));
        }
        Map<String, String> options = new LinkedHashMap<>();
        if (q >= 0) {
            String query = rest.substring(q + 1);
            if (query.isEmpty()) {
                throw new DeviceException("spec '" + spec + "': nothing after '?'; write key=value options joined by"
                        + " '&' (accepted keys for " + device + ": " + String.join(", ", keys) + ")");
            }
            for (String part : query.split("&", -1)) {
                int eq = part.indexOf('=');
                if (eq <= 0 || eq == part.length() - 1) {
                    throw new DeviceException("spec '" + spec + "': option '" + part + "' is malformed: expected"
                            + " key=value (accepted keys for " + device + ": " + String.join(", ", keys) + ")");
                }
                String key = part.substring(0, eq);
                String value = part.substring(eq + 1);
                if (!keys.contains(key)) {
                    throw new DeviceException("spec '" + spec + "': unknown option '" + key + "' for " + SCHEME
                            + device + "; accepted: " + (keys.isEmpty() ? "none" : String.join(", ", keys)));
                }
                if (options.put(key, value) != null) {
                    throw new DeviceException("spec '" + spec + "': option '" + key + "' is given twice");
                }
            }
        }
        return new Spec(spec, device, options);
    }

    private static String devices(Map<String, List<String>> accepted) {
        StringBuilder b = new StringBuilder();
        accepted.forEach((name, keys) -> {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(SCHEME).append(name);
            if (!keys.isEmpty()) {
                b.append(" (options ").append(String.join(", ", keys)).append(')');
            }
        });
        return b.toString();
    }

    /** {@code WIDTHxHEIGHT} with each side in {@code min..max}. */
    public static int[] mode(Spec spec, String key, String value, int min, int max) throws DeviceException {
        String[] parts = value.split("x", -1);
        int[] wh = new int[2];
        if (parts.length == 2) {
            try {
                wh[0] = Integer.parseInt(parts[0]);
                wh[1] = Integer.parseInt(parts[1]);
                if (!parts[0].startsWith("+") && !parts[1].startsWith("+") && wh[0] >= min && wh[0] <= max
                        && wh[1] >= min && wh[1] <= max) {
                    return wh;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new DeviceException("spec '" + spec.text() + "': option " + key + "=" + value + " is malformed: expected"
                + " WIDTHxHEIGHT with decimal numbers from " + min + " to " + max + ", for example " + key + "=1024x768");
    }

    /**
     * {@code WxH,WxH[,...]/SECONDS}: two to eight modes as {@link #mode} reads them and a period
     * from 1 to 86400 seconds.
     *
     * @return the period in seconds, then each mode's width and height
     */
    public static int[] modeCycle(Spec spec, String key, String value, int min, int max) throws DeviceException {
        int slash = value.lastIndexOf('/');
        String[] modes = slash < 0 ? new String[0] : value.substring(0, slash).split(",", -1);
        String seconds = slash < 0 ? "" : value.substring(slash + 1);
        if (modes.length >= 2 && modes.length <= 8 && seconds.matches("[0-9]{1,5}")) {
            int period = Integer.parseInt(seconds);
            if (period >= 1 && period <= 86400) {
                int[] out = new int[1 + 2 * modes.length];
                out[0] = period;
                for (int i = 0; i < modes.length; i++) {
                    int[] wh = mode(spec, key, modes[i], min, max);
                    out[1 + 2 * i] = wh[0];
                    out[2 + 2 * i] = wh[1];
                }
                return out;
            }
        }
        throw new DeviceException("spec '" + spec.text() + "': option " + key + "=" + value + " is malformed: expected"
                + " WIDTHxHEIGHT, or two to eight of them and a period in seconds from 1 to 86400 (the guest switches"
                + " between them), for example " + key + "=640x480,800x600/5");
    }

    /** {@code UP/DOWN}: two decimal numbers of seconds from 1 to 86400. */
    public static int[] flap(Spec spec, String key, String value) throws DeviceException {
        String[] parts = value.split("/", -1);
        if (parts.length == 2 && parts[0].matches("[0-9]{1,5}") && parts[1].matches("[0-9]{1,5}")) {
            int up = Integer.parseInt(parts[0]);
            int down = Integer.parseInt(parts[1]);
            if (up >= 1 && up <= 86400 && down >= 1 && down <= 86400) {
                return new int[] {up, down};
            }
        }
        throw new DeviceException("spec '" + spec.text() + "': option " + key + "=" + value + " is malformed: expected"
                + " UP/DOWN, seconds from 1 to 86400 each, for example " + key + "=20/5");
    }

    /** One of {@code choices}. */
    public static String choice(Spec spec, String key, String value, List<String> choices) throws DeviceException {
        if (!choices.contains(value)) {
            throw new DeviceException("spec '" + spec.text() + "': option " + key + "=" + value + " is not accepted;"
                    + " accepted values: " + String.join(", ", choices));
        }
        return value;
    }
}
