package io.github.scanout.core;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.kernel.DamageLog;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.core.internal.borrow.BorrowProviders;
import io.github.scanout.core.internal.borrow.HolderReport;
import io.github.scanout.core.internal.borrow.ProcScan;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import io.github.scanout.core.internal.vfio.MdevDiscovery;
import io.github.scanout.core.internal.vfio.VfioGfxDevice;
import io.github.scanout.core.internal.vfio.VfioOpener;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens vGPUs and lists the host's mdevs.
 *
 * <p>A device spec is one of:
 * <ul>
 *   <li>an mdev UUID ({@code 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001}): the real device, through the
 *       vfio cdev when the kernel has one, else the VFIO group;</li>
 *   <li>its sysfs path ({@code /sys/bus/mdev/devices/<uuid>});</li>
 *   <li>{@code scheme:rest}, resolved by the {@link DeviceProvider} for that scheme (for example
 *       {@code sim:mbochs?mode=1024x768} by the simulated devices);</li>
 *   <li>built in: {@code vm:PID}, {@code vm:PID/UUID}, {@code vm:UUID}, {@code libvirt:DOMAIN} and
 *       {@code fd:N}, the device a running VM's VMM holds, borrowed from it (see
 *       {@code core.internal.borrow.BorrowProviders}); a given provider of the same scheme
 *       replaces one.</li>
 * </ul>
 * Providers come from {@link ServiceLoader} ({@link #Devices()}) or are given explicitly (inside
 * OSGi, from the service registry). Each {@code Devices} keeps its providers, so one spec names
 * the same simulated device for as long as the {@code Devices} lives.
 *
 * <p>Threads: safe for concurrent use; the returned devices serialise their own calls.
 */
public final class Devices {

    private static final Reporter LOG = Reporter.system(Devices.class.getName());

    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):(.*)", Pattern.DOTALL);

    private final Map<String, DeviceProvider> providers;
    private final Supplier<Kernel> host;
    private final Path sysfsRoot;
    private final Path devRoot;
    private final Path procRoot;
    private final Path runRoot;
    /** Whether any provider besides the built-in ones was given. */
    private final boolean external;

    /** Providers found by {@link ServiceLoader}, the real kernel, {@code /sys} and {@code /dev}. */
    public Devices() {
        this(loadProviders());
    }

    /** The given providers (OSGi services, or a test's), the real kernel, {@code /sys} and {@code /dev}. */
    public Devices(Collection<? extends DeviceProvider> providers) {
        this(providers, null, Path.of("/sys"), Path.of("/dev"));
    }

    /**
     * Everything explicit.
     *
     * @param host the kernel endpoints and real devices are opened with; null for the real one
     *     (loaded on first use)
     * @param sysfsRoot where sysfs is mounted (tests pass a fake tree)
     * @param devRoot where the device nodes are
     */
    public Devices(Collection<? extends DeviceProvider> providers, Kernel host, Path sysfsRoot, Path devRoot) {
        this(providers, host, sysfsRoot, devRoot, Path.of("/proc"), Path.of("/run"));
    }

    /**
     * Everything explicit, {@code /proc} and {@code /run} included (where the processes holding
     * mdevs and libvirt's pid files are found; tests pass fake trees).
     */
    public Devices(Collection<? extends DeviceProvider> providers, Kernel host, Path sysfsRoot, Path devRoot,
            Path procRoot, Path runRoot) {
        Map<String, DeviceProvider> byScheme = new LinkedHashMap<>();
        for (DeviceProvider p : providers) {
            String scheme = p.scheme().toLowerCase(Locale.ROOT);
            DeviceProvider old = byScheme.putIfAbsent(scheme, p);
            if (old != null) {
                LOG.report(System.Logger.Level.WARNING, "two device providers for scheme '" + scheme + "': using "
                        + old.getClass().getName() + ", ignoring " + p.getClass().getName());
            }
        }
        this.external = byScheme.values().stream().anyMatch(p -> !BorrowProviders.isBuiltIn(p));
        // libvirt: finds the qemu-dbus provider among the given ones, by scheme
        for (DeviceProvider p : BorrowProviders.real(procRoot, runRoot, sysfsRoot, devRoot, byScheme::get)) {
            byScheme.putIfAbsent(p.scheme(), p); // built in: vm:, libvirt:, fd:; a given provider overrides one
        }
        this.providers = Collections.unmodifiableMap(byScheme);
        this.host = host != null ? () -> host : LibcKernel::instance;
        this.sysfsRoot = Objects.requireNonNull(sysfsRoot, "sysfsRoot");
        this.devRoot = Objects.requireNonNull(devRoot, "devRoot");
        this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
        this.runRoot = Objects.requireNonNull(runRoot, "runRoot");
    }

    private static List<DeviceProvider> loadProviders() {
        List<DeviceProvider> found = new ArrayList<>();
        Iterator<DeviceProvider> it = ServiceLoader.load(DeviceProvider.class, Devices.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                LOG.report(System.Logger.Level.WARNING, "skipping a device provider that failed to load: " + e.getMessage());
            }
        }
        return found;
    }

    /**
     * The schemes this instance resolves: the given providers' ({@code sim}), then the built-in
     * ones for running VMs ({@code vm}, {@code libvirt}, {@code fd}).
     */
    public List<String> schemes() {
        return List.copyOf(providers.keySet());
    }

    /**
     * Opens a device by spec.
     *
     * @throws DeviceException with one line saying what is wrong: not a spec, an unknown scheme
     *     (listing the known ones), an unknown UUID, a permission or busy device...
     */
    public GfxDevice open(String spec) throws DeviceException {
        Objects.requireNonNull(spec, "spec");
        String s = spec.trim();
        if (s.isEmpty()) {
            throw new DeviceException("empty device spec: " + expected());
        }
        if (VfioOpener.UUID.matcher(s).matches()) {
            refuseIfHeld(s.toLowerCase(Locale.ROOT));
            return opener().open(s, spec);
        }
        if (s.startsWith("/")) {
            Path p;
            try {
                p = Path.of(s).normalize();
            } catch (InvalidPathException e) { // a NUL in the text
                throw new DeviceException("'" + spec + "' is not an mdev sysfs path (" + e.getReason() + "): expected "
                        + sysfsRoot.resolve("bus/mdev/devices") + "/<uuid>");
            }
            Path file = p.getFileName();
            String last = file == null ? "" : file.toString();
            boolean underBus = sysfsRoot.resolve("bus/mdev/devices").equals(p.getParent());
            if (VfioOpener.UUID.matcher(last).matches() && (underBus || Files.exists(p.resolve("mdev_type")))) {
                refuseIfHeld(last.toLowerCase(Locale.ROOT));
                return opener().open(last, spec);
            }
            throw new DeviceException("'" + spec + "' is not an mdev sysfs path: expected "
                    + sysfsRoot.resolve("bus/mdev/devices") + "/<uuid>");
        }
        Matcher m = SCHEME.matcher(s);
        if (m.matches()) {
            String scheme = m.group(1).toLowerCase(Locale.ROOT);
            DeviceProvider provider = providers.get(scheme);
            if (provider == null) {
                throw new DeviceException("no device provider for scheme '" + scheme + "' in '" + spec + "' (known schemes: "
                        + knownSchemes() + ")");
            }
            DeviceEndpoint endpoint;
            try {
                endpoint = provider.resolve(s);
            } catch (RuntimeException e) {
                throw new DeviceException("the '" + scheme + "' provider failed on '" + spec + "': " + e, e);
            }
            if (endpoint == null) {
                throw new DeviceException("the '" + scheme + "' provider resolved '" + spec + "' to nothing");
            }
            return open(endpoint, spec);
        }
        throw new DeviceException("'" + spec + "' is not a device spec: " + expected());
    }

    /**
     * Where input for the device a spec names goes: its endpoint's
     * {@link DeviceEndpoint#input()} when a provider resolves the spec to one that takes input
     * (QEMU's D-Bus display); empty for everything else (mdevs, borrowed VFIO devices, simulated
     * devices, a spec that does not resolve: its open reports why). Resolves the spec again, as
     * {@link #open(String)} does; a provider gives the same endpoint for the same spec.
     */
    public Optional<InputTarget> input(String spec) {
        return endpoint(spec).flatMap(DeviceEndpoint::input);
    }

    /**
     * What the device a spec names says changed in its primary plane: its endpoint's
     * {@link DeviceEndpoint#damage()} (QEMU's D-Bus display); empty for everything else, whose
     * pixels the pipeline compares. Resolves the spec as {@link #input(String)} does.
     */
    public Optional<DamageLog> damage(String spec) {
        return endpoint(spec).flatMap(DeviceEndpoint::damage);
    }

    /** The endpoint a provider resolves the spec to; empty for an mdev UUID and for a spec that does not resolve. */
    private Optional<DeviceEndpoint> endpoint(String spec) {
        Objects.requireNonNull(spec, "spec");
        Matcher m = SCHEME.matcher(spec.trim());
        if (!m.matches() || VfioOpener.UUID.matcher(spec.trim()).matches()) {
            return Optional.empty();
        }
        DeviceProvider provider = providers.get(m.group(1).toLowerCase(Locale.ROOT));
        if (provider == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(provider.resolve(spec.trim()));
        } catch (DeviceException | RuntimeException e) {
            return Optional.empty(); // the open says what is wrong with the spec
        }
    }

    /** Opens an endpoint (a simulated device) under its own name. */
    public GfxDevice open(DeviceEndpoint endpoint) throws DeviceException {
        Objects.requireNonNull(endpoint, "endpoint");
        return open(endpoint, endpoint.name());
    }

    private GfxDevice open(DeviceEndpoint endpoint, String name) throws DeviceException {
        DeviceEndpoint.OpenDevice od = endpoint.open(host.get());
        if (od == null || od.kernel() == null) {
            throw new DeviceException("endpoint " + endpoint.name() + " opened nothing");
        }
        VfioGfxDevice device = VfioGfxDevice.open(od.kernel(), od.fd(), name, null);
        od.gone().thenAccept(reason -> {
            if (reason != null) {
                device.markGone(reason);
            }
        });
        return device;
    }

    /** The host's mdevs, sorted by UUID; empty when it has none. */
    public List<MdevInfo> list() throws DeviceException {
        return new MdevDiscovery(sysfsRoot).list();
    }

    /**
     * What {@code scanout devices} says about an mdev, found without opening it: the process
     * holding it (PID, command line, libvirt domain) and whether Scanout could borrow it from that
     * process, or why not; or, when none holds it, whether a direct open is allowed.
     *
     * @return lines without indentation, at least one
     */
    public List<String> holders(MdevInfo mdev) {
        Objects.requireNonNull(mdev, "mdev");
        return new HolderReport(new ProcScan(procRoot, sysfsRoot, devRoot), procRoot, runRoot, devRoot).describe(mdev);
    }

    /**
     * A bare UUID names the mdev for direct opening; a process (a VMM) that holds it already is
     * found through /proc first, so the user gets a pointer to vm:UUID instead of EBUSY. The
     * refusal is not transient: a pipeline does not retry it, since a retry that succeeded while
     * the VM was down would make the VM's next start fail with EBUSY.
     */
    private void refuseIfHeld(String uuid) throws DeviceException {
        ProcScan scan = new ProcScan(procRoot, sysfsRoot, devRoot);
        List<Integer> holders;
        try {
            MdevInfo mdev = null;
            for (MdevInfo m : scan.mdevs()) {
                if (m.uuid().equals(uuid)) {
                    mdev = m;
                }
            }
            if (mdev == null) {
                return; // the opener says what is wrong
            }
            holders = scan.holders(mdev);
        } catch (DeviceException e) {
            return; // cannot tell: the open itself will say busy if it is
        }
        if (!holders.isEmpty()) {
            throw new DeviceException("mdev " + uuid + " is held by process " + scan.info(holders.get(0)).describe()
                    + ", a running VM's VMM: Scanout does not open it directly; read it with vm:" + uuid);
        }
    }

    private VfioOpener opener() {
        return new VfioOpener(host.get(), sysfsRoot, devRoot, VfioOpener.Mode.fromSystemProperty());
    }

    private String knownSchemes() {
        return String.join(", ", providers.keySet())
                + (external ? "" : "; is a provider such as scanout-sim on the class path?");
    }

    private String expected() {
        return "give an mdev UUID, " + sysfsRoot.resolve("bus/mdev/devices") + "/<uuid>, or scheme:... (known schemes: "
                + knownSchemes() + ")";
    }
}
