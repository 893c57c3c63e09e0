package io.github.scanout.runtime;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code --device SPEC}: the name sinks know it by (the spec as given) and the spec the
 * device configuration opens.
 *
 * <p>Demo defaults for simulated dma-buf devices. A bare {@code sim:mbochs} is the kernel
 * sample before its guest has set a mode (the plane is disabled), and the dma-bufs of
 * {@code sim:mbochs} and {@code sim:gvt} refuse CPU mappings as the real drivers do, so a file
 * sink on a host without a GPU that can import dma-bufs (EGL_EXT_image_dma_buf_import; Mesa's
 * software renderer has none) would get nothing. The launcher therefore fills in what a booted
 * guest and such a GPU would provide, for options the spec does not give: {@code mode=1024x768}
 * for {@code sim:mbochs}, and {@code mmap=allow} for {@code sim:mbochs} and {@code sim:gvt}.
 * Giving the option ({@code sim:mbochs?mmap=refuse}) keeps the drivers' behaviour. Real devices
 * and other specs are passed through unchanged.
 *
 * <p>Immutable; any thread.
 *
 * @param name the device name: the spec as given (what sinks' {@code device} property says)
 * @param spec the spec the device configuration opens
 */
record DeviceSpec(String name, String spec) {

    /** Whether the demo defaults changed the spec. */
    boolean expanded() {
        return !name.equals(spec);
    }

    /** Whether this is a simulated device ({@code sim:...}). */
    boolean simulated() {
        return name.toLowerCase(Locale.ROOT).startsWith("sim:");
    }

    /**
     * @throws UsageException for an empty spec
     */
    static DeviceSpec parse(String text) throws UsageException {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new UsageException("--device: empty device spec; give an mdev UUID, /sys/bus/mdev/devices/<uuid>, "
                    + "or sim:mbochs (see scanout devices)");
        }
        if (!s.toLowerCase(Locale.ROOT).startsWith("sim:")) {
            return new DeviceSpec(s, s);
        }
        String rest = s.substring(4);
        int q = rest.indexOf('?');
        String device = (q < 0 ? rest : rest.substring(0, q)).trim().toLowerCase(Locale.ROOT);
        Map<String, String> options = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                options.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        StringBuilder added = new StringBuilder();
        if (device.equals("mbochs") && !options.containsKey("mode")) {
            added.append("mode=1024x768");
        }
        if ((device.equals("mbochs") || device.equals("gvt")) && !options.containsKey("mmap")) {
            added.append(added.length() > 0 ? "&" : "").append("mmap=allow");
        }
        if (added.length() == 0) {
            return new DeviceSpec(s, s);
        }
        String joined = q < 0 ? s + "?" + added : (s.endsWith("?") || s.endsWith("&") ? s : s + "&") + added;
        return new DeviceSpec(s, joined);
    }
}
