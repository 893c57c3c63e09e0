package io.github.scanout.core.internal;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.DeviceInfo;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.device.RegionInfo;
import io.github.scanout.core.Devices;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A diagnostic command: opens a device and prints what it says about its planes.
 *
 * <pre>PlaneDump [SPEC] [SECONDS]</pre>
 *
 * SPEC defaults to {@value #DEFAULT_SPEC}, SECONDS to {@value #DEFAULT_SECONDS}. Prints the device
 * info, which buffer types probe OK and the regions its planes use, then the primary and cursor
 * planes once a second. Transient errors (ENOMEM, EAGAIN...) are printed once and retried; the
 * same invalid plane is reported once. Exit status: 0 done, 1 device error, 2 bad arguments.
 *
 * <p>Run it from the build: {@code mvn -pl core exec:java -Dexec.args="sim:mdpy-xga 3"}.
 */
public final class PlaneDump {

    static final String DEFAULT_SPEC = "sim:mbochs?mode=1024x768";
    static final int DEFAULT_SECONDS = 5;
    static final int MAX_SECONDS = 86_400;
    /** Retries of a transient error within one tick, with doubling back-off from 10 ms. */
    static final int TRANSIENT_RETRIES = 4;

    private final PrintStream out;
    private final long tickMillis;
    private final Map<String, String> lastReport = new HashMap<>();
    private final Set<Integer> regionsShown = new HashSet<>();

    PlaneDump(PrintStream out, long tickMillis) {
        this.out = out;
        this.tickMillis = tickMillis;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, null, 1000));
    }

    /**
     * Runs the command.
     *
     * @param devices the devices to open from, or null for {@code new Devices()}
     * @return the exit status
     */
    static int run(String[] args, PrintStream out, PrintStream err, Devices devices, long tickMillis) {
        if (args.length > 2) {
            err.println("usage: PlaneDump [SPEC] [SECONDS]: too many arguments (" + args.length + ")");
            return 2;
        }
        String spec = args.length > 0 ? args[0] : DEFAULT_SPEC;
        int seconds = DEFAULT_SECONDS;
        if (spec.isBlank()) {
            err.println("usage: PlaneDump [SPEC] [SECONDS]: SPEC is empty");
            return 2;
        }
        if (args.length > 1) {
            try {
                seconds = Integer.parseInt(args[1].trim());
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (seconds < 1 || seconds > MAX_SECONDS) {
                err.println("usage: PlaneDump [SPEC] [SECONDS]: SECONDS must be a whole number from 1 to " + MAX_SECONDS
                        + ", got '" + args[1] + "'");
                return 2;
            }
        }
        try {
            Devices d = devices != null ? devices : new Devices();
            try (GfxDevice device = d.open(spec)) {
                new PlaneDump(out, tickMillis).dump(device, seconds);
            }
            return 0;
        } catch (DeviceException e) {
            err.println("PlaneDump: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("PlaneDump: interrupted");
            return 1;
        }
    }

    void dump(GfxDevice device, int seconds) throws DeviceException, InterruptedException {
        DeviceInfo info = device.info();
        out.printf("device %s: flags 0x%x%s%s, %d regions, %d irqs%n", device.name(), info.flags(),
                info.isPci() ? " (pci)" : "", info.canReset() ? " (reset)" : "", info.numRegions(), info.numIrqs());
        List<BufferType> types = new ArrayList<>();
        for (BufferType t : List.of(BufferType.DMABUF, BufferType.REGION)) {
            boolean ok = device.probe(t);
            out.println("probe " + t + ": " + (ok ? "supported" : "not supported (EINVAL)"));
            if (ok) {
                types.add(t);
            }
        }
        if (types.isEmpty()) {
            throw new DeviceException(device.name() + " offers no planes: neither dmabuf nor region probes succeed");
        }
        for (int tick = 0; tick < seconds; tick++) {
            if (tick > 0) {
                Thread.sleep(tickMillis);
            }
            for (BufferType t : types) {
                for (PlaneType p : List.of(PlaneType.PRIMARY, PlaneType.CURSOR)) {
                    show(device, tick, t, p);
                }
            }
        }
    }

    private void show(GfxDevice device, int tick, BufferType type, PlaneType plane) throws DeviceException, InterruptedException {
        String key = type + "/" + plane;
        long backoff = 10;
        for (int attempt = 0; ; attempt++) {
            try {
                Optional<PlaneInfo> p = device.queryPlane(type, plane);
                lastReport.remove(key);
                out.printf("t=%ds %s %s: %s%n", tick, type, lower(plane),
                        p.map(PlaneInfo::toString).orElse("disabled"));
                if (p.isPresent() && type.equals(BufferType.REGION)) {
                    showRegion(device, p.get());
                }
                return;
            } catch (InvalidPlaneException e) {
                reportOnce(key, "t=" + tick + "s " + type + " " + lower(plane) + ": " + e.getMessage());
                return;
            } catch (DeviceException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                reportOnce(key, "t=" + tick + "s " + type + " " + lower(plane) + ": transient error, retrying: " + e.getMessage());
                if (attempt >= TRANSIENT_RETRIES) {
                    return;
                }
                Thread.sleep(backoff);
                backoff *= 2;
            }
        }
    }

    private void showRegion(GfxDevice device, PlaneInfo p) throws DeviceException {
        int index = (int) p.bufferId();
        if (regionsShown.add(index)) {
            RegionInfo r = device.regionInfo(index);
            out.println("  " + r);
        }
    }

    private static String lower(PlaneType plane) {
        return plane.name().toLowerCase(java.util.Locale.ROOT);
    }

    private void reportOnce(String key, String message) {
        String core = message.substring(message.indexOf(' ') + 1);
        if (!core.equals(lastReport.get(key))) {
            lastReport.put(key, core);
            out.println(message);
        }
    }
}
