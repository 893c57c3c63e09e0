package io.github.scanout.sim;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.sim.internal.SpecParser;
import io.github.scanout.sim.internal.SpecParser.Spec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates simulated devices from {@code sim:} specs:
 * <ul>
 *   <li>{@code sim:mdpy-vga}, {@code sim:mdpy-xga}, {@code sim:mdpy-hd}</li>
 *   <li>{@code sim:mbochs[?mode=WxH][&type=small|medium|large][&mmap=allow|refuse]}: type
 *       medium (16 MiB) by default; with {@code mode} the guest sets that mode at creation
 *       (through the DISPI registers) and draws test-pattern frame 0, without it the plane
 *       stays disabled until a mode is set</li>
 *   <li>{@code sim:gvt[?tiling=x|y|none][&mmap=allow|refuse][&mode=WxH][&format=XR24]}:
 *       1024x768 XRGB8888 linear by default</li>
 * </ul>
 * Every device also takes {@code animate=true|false} (default: the caller's) and
 * {@code flap=UP/DOWN} (seconds, 1 to 86400 each: present UP seconds, then vanished DOWN seconds,
 * again and again, as {@link SimDevice#flap}; the distribution soak uses it). Options may come
 * in any order, each once. Anything else fails with a {@link DeviceException} that says what is
 * wrong and lists what is accepted.
 *
 * <p>Threads: stateless; every method may be called from any thread.
 */
public final class SimDevices {
    private SimDevices() {}

    private static final Map<String, List<String>> ACCEPTED = new LinkedHashMap<>();

    static {
        ACCEPTED.put("mdpy-vga", List.of("animate", "flap"));
        ACCEPTED.put("mdpy-xga", List.of("animate", "flap"));
        ACCEPTED.put("mdpy-hd", List.of("animate", "flap"));
        ACCEPTED.put("mbochs", List.of("mode", "type", "mmap", "animate", "flap"));
        ACCEPTED.put("gvt", List.of("tiling", "mmap", "mode", "format", "animate", "flap"));
    }

    /** The device names after {@code sim:}. */
    public static List<String> deviceNames() {
        return List.copyOf(ACCEPTED.keySet());
    }

    /**
     * Checks a spec without opening anything: what {@link #create} would say about it. The
     * launcher calls it (the bundle's {@code Scanout-Spec-Check} header names this class) for a
     * {@code --device sim:...} before the framework starts.
     *
     * @param spec the whole spec, {@code sim:} included
     * @return null when it names a device, else the one line that says what is wrong
     */
    public static String check(String spec) {
        try {
            create(spec, false);
            return null;
        } catch (DeviceException | IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** A new device for the spec, not animated unless the spec says {@code animate=true}. */
    public static SimDevice create(String spec) throws DeviceException {
        return create(spec, false);
    }

    /**
     * A new device for the spec.
     *
     * @param animateByDefault whether to animate when the spec does not say ({@link SimDeviceProvider} passes true)
     */
    public static SimDevice create(String spec, boolean animateByDefault) throws DeviceException {
        Spec s = SpecParser.parse(spec, ACCEPTED);
        Map<String, String> o = s.options();
        String name = s.text().trim();
        boolean animate = o.containsKey("animate")
                ? SpecParser.choice(s, "animate", o.get("animate"), List.of("true", "false")).equals("true")
                : animateByDefault;
        SimDevice device = switch (s.device()) {
            case "mdpy-vga" -> MdpyDevice.create(name, MdpyDevice.Type.VGA);
            case "mdpy-xga" -> MdpyDevice.create(name, MdpyDevice.Type.XGA);
            case "mdpy-hd" -> MdpyDevice.create(name, MdpyDevice.Type.HD);
            case "mbochs" -> mbochs(s, name);
            case "gvt" -> gvt(s, name);
            default -> throw new IllegalStateException("device " + s.device() + " is accepted but not built");
        };
        device.setAnimate(animate);
        if (o.containsKey("flap")) {
            int[] upDown = SpecParser.flap(s, "flap", o.get("flap"));
            device.flap(java.time.Duration.ofSeconds(upDown[0]), java.time.Duration.ofSeconds(upDown[1]));
        }
        return device;
    }

    private static MbochsDevice mbochs(Spec s, String name) throws DeviceException {
        Map<String, String> o = s.options();
        MbochsDevice.Type type = MbochsDevice.Type.MEDIUM;
        if (o.containsKey("type")) {
            String t = SpecParser.choice(s, "type", o.get("type"), List.of("small", "medium", "large"));
            type = MbochsDevice.Type.valueOf(t.toUpperCase(java.util.Locale.ROOT));
        }
        List<int[]> modes = new java.util.ArrayList<>();
        int period = 0;
        if (o.containsKey("mode")) {
            String value = o.get("mode");
            if (value.contains(",") || value.contains("/")) {
                int[] cycle = SpecParser.modeCycle(s, "mode", value, 64, 0xffff);
                period = cycle[0];
                for (int i = 1; i < cycle.length; i += 2) {
                    modes.add(new int[] {cycle[i], cycle[i + 1]});
                }
            } else {
                modes.add(SpecParser.mode(s, "mode", value, 64, 0xffff));
            }
            for (int[] mode : modes) {
                long needed = (long) mode[0] * mode[1] * 4;
                long vram = type.megabytes() * 1024L * 1024L;
                if (needed > vram) {
                    throw new DeviceException("spec '" + s.text() + "': mode " + mode[0] + "x" + mode[1] + " needs "
                            + needed + " bytes of VRAM but type " + type.sysfsName() + " has " + vram + " ("
                            + type.megabytes() + " MiB); use a larger type (small 4 MiB, medium 16 MiB, large 64 MiB)"
                            + " or a smaller mode");
                }
            }
        }
        MbochsDevice d = MbochsDevice.create(name, type);
        d.allowDmaBufMmap(mmap(s));
        if (period > 0) {
            d.cycleModes(modes, java.time.Duration.ofSeconds(period));
        } else if (!modes.isEmpty()) {
            d.guest().setMode(modes.get(0)[0], modes.get(0)[1]);
            d.drawTestPattern(0);
        }
        return d;
    }

    private static GvtDevice gvt(Spec s, String name) throws DeviceException {
        Map<String, String> o = s.options();
        Modifier modifier = Modifier.LINEAR;
        if (o.containsKey("tiling")) {
            String t = SpecParser.choice(s, "tiling", o.get("tiling"), List.of("x", "y", "none"));
            modifier = t.equals("x") ? Modifier.I915_X_TILED : t.equals("y") ? Modifier.I915_Y_TILED : Modifier.LINEAR;
        }
        DrmFormat format = DrmFormat.XRGB8888;
        if (o.containsKey("format")) {
            Optional<DrmFormat> f = DrmFormat.parse(o.get("format"));
            if (f.isEmpty()) {
                throw new DeviceException("spec '" + s.text() + "': option format=" + o.get("format")
                        + " is not a known DRM format; accepted: " + String.join(", ",
                        DrmFormat.known().stream().map(DrmFormat::toString).toList()));
            }
            format = f.get();
        }
        int[] mode = {1024, 768};
        if (o.containsKey("mode")) {
            mode = SpecParser.mode(s, "mode", o.get("mode"), 1, 8192);
        }
        GvtDevice d = GvtDevice.create(name);
        d.allowDmaBufMmap(mmap(s));
        if (!format.equals(DrmFormat.XRGB8888) || !modifier.isLinear() || mode[0] != 1024 || mode[1] != 768) {
            d.setPrimary(format, modifier, mode[0], mode[1]);
            d.drawTestPattern(0);
        }
        return d;
    }

    private static boolean mmap(Spec s) throws DeviceException {
        String v = s.options().get("mmap");
        return v != null && SpecParser.choice(s, "mmap", v, List.of("allow", "refuse")).equals("allow");
    }
}
