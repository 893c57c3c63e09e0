package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.input.InputTarget;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.support.Reporter;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import io.github.scanout.core.internal.vfio.VfioOpener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device providers for running VMs, built into core:
 * <ul>
 *   <li>{@code vm:PID}, {@code vm:PID/UUID}: the display device process PID holds. The process is
 *       bound through a pidfd at the first resolve and its number is never looked up again
 *       (numbers are reused): when it exits, the spec stays gone.</li>
 *   <li>{@code vm:UUID}: whichever process holds that mdev at each open, so the spec survives
 *       VM restarts. Scanout never opens the mdev itself.</li>
 *   <li>{@code libvirt:DOMAIN}, {@code libvirt:DOMAIN/UUID}: the QEMU of a running libvirt
 *       domain, from {@code /run/libvirt/qemu/DOMAIN.pid} at each open. {@code libvirt:DOMAIN}
 *       of a domain with D-Bus graphics ({@code <graphics type='dbus'/>} in its live status file
 *       {@code /run/libvirt/qemu/DOMAIN.xml}) reads QEMU's D-Bus display instead, through the
 *       provider of scheme {@code qemu-dbus} ({@code qemu-dbus:bus:ADDRESS}), found by scheme
 *       like any other provider, so core does not depend on that plugin.</li>
 *   <li>{@code fd:N}: a VFIO device fd this process inherited (from a management layer or the
 *       borrow helper), used in observer mode.</li>
 * </ul>
 * Each takes options after {@code ?} ({@link BorrowOptions}); with {@code via=SOCKET} the
 * {@code vm:} and {@code libvirt:} forms are borrowed by the borrow helper ({@link BorrowHelper})
 * and handed over its socket, so this process needs no right over the VMM.
 */
public final class BorrowProviders {
    private BorrowProviders() {}

    private static final Pattern PID = Pattern.compile("[1-9][0-9]{0,9}");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9_.+:-][A-Za-z0-9_.+:@-]*");

    /** The scheme of the provider {@code libvirt:} hands a domain with D-Bus graphics to. */
    public static final String QEMU_DBUS = "qemu-dbus";

    /** The three providers over the real system; {@code others} finds a provider by scheme (or null). */
    public static List<DeviceProvider> real(Path sysfsRoot, Path devRoot, Function<String, DeviceProvider> others) {
        return real(Path.of("/proc"), Path.of("/run"), sysfsRoot, devRoot, others);
    }

    /**
     * The three providers over the given roots (the real ones, or a test's fake trees).
     *
     * @param others finds another provider by scheme, or null for none ({@code libvirt:} asks it
     *     for {@value #QEMU_DBUS})
     */
    public static List<DeviceProvider> real(Path procRoot, Path runRoot, Path sysfsRoot, Path devRoot,
            Function<String, DeviceProvider> others) {
        Borrower b = new Borrower(LibcKernel::instance, new ProcScan(procRoot, sysfsRoot, devRoot), Adopter.vfio(),
                procRoot, runRoot);
        return of(b, others, Reporter.system(BorrowProviders.class.getName()));
    }

    /** Whether {@code p} is one of the providers built here (not one a bundle or test gave). */
    public static boolean isBuiltIn(DeviceProvider p) {
        return p instanceof Vm || p instanceof Libvirt || p instanceof Fd;
    }

    /**
     * Releases what the providers keep: the pidfds {@code vm:PID} endpoints are bound to. A
     * {@link io.github.scanout.core.Devices} built on these providers must not open through them
     * afterwards. Providers that are not built here are left alone.
     */
    public static void release(List<? extends DeviceProvider> providers) {
        for (DeviceProvider p : providers) {
            if (p instanceof Vm vm) {
                vm.release();
            }
        }
    }

    /** The three providers over a given borrower (tests give fake roots and adopters), no others. */
    public static List<DeviceProvider> of(Borrower b) {
        return of(b, scheme -> null, Reporter.system(BorrowProviders.class.getName()));
    }

    /**
     * The three providers over a given borrower; {@code libvirt:} finds the {@value #QEMU_DBUS}
     * provider through {@code others} and says which path it took to {@code reporter}.
     */
    public static List<DeviceProvider> of(Borrower b, Function<String, DeviceProvider> others, Reporter reporter) {
        return List.of(new Vm(b), new Libvirt(b, others, reporter), new Fd(b));
    }

    /**
     * Checks a {@code vm:}, {@code libvirt:} or {@code fd:} spec's form without looking for the
     * VM, the domain or the fd: the launcher calls it (the bundle's {@code Scanout-Spec-Check}
     * header names this class) before the framework starts.
     *
     * @param spec the whole spec
     * @return null when its form is right, else the one line that says what is wrong
     */
    public static String check(String spec) {
        int colon = spec.indexOf(':');
        String scheme = colon < 0 ? "" : spec.substring(0, colon).toLowerCase(Locale.ROOT);
        try {
            Spec s = Spec.parse(spec, scheme);
            String body = s.body();
            switch (scheme) {
                case "vm" -> {
                    if (!VfioOpener.UUID.matcher(body).matches()) {
                        int slash = body.indexOf('/');
                        if (slash >= 0) {
                            uuidOf(body.substring(slash + 1), spec);
                        }
                        if (!PID.matcher(slash < 0 ? body : body.substring(0, slash)).matches()) {
                            return "'" + spec + "' is not a vm: spec: expected vm:PID, vm:PID/UUID or vm:UUID";
                        }
                    }
                }
                case "libvirt" -> {
                    int slash = body.lastIndexOf('/');
                    String domain = slash < 0 ? body : body.substring(0, slash);
                    if (slash >= 0) {
                        uuidOf(body.substring(slash + 1), spec);
                    }
                    if (!DOMAIN.matcher(domain).matches() || domain.contains("..")) {
                        return "'" + spec + "' is not a libvirt: spec: expected libvirt:DOMAIN or"
                                + " libvirt:DOMAIN/UUID, with a domain name of letters, digits and _.+:@-";
                    }
                }
                case "fd" -> {
                    if (!body.matches("[0-9]{1,9}") || Integer.parseInt(body) < 3) {
                        return "'" + spec + "' is not an fd: spec: expected fd:N with N an inherited fd of 3 or more";
                    }
                }
                default -> {
                    return "'" + spec + "' is not a vm:, libvirt: or fd: spec";
                }
            }
            return null;
        } catch (DeviceException | IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** {@code scheme:body?query} split. */
    private record Spec(String body, BorrowOptions options) {
        static Spec parse(String spec, String scheme) throws DeviceException {
            String rest = spec.substring(scheme.length() + 1);
            int q = rest.indexOf('?');
            String body = q < 0 ? rest : rest.substring(0, q);
            return new Spec(body, BorrowOptions.parse(q < 0 ? null : rest.substring(q + 1), spec));
        }
    }

    private static String uuidOf(String text, String spec) throws DeviceException {
        if (!VfioOpener.UUID.matcher(text).matches()) {
            throw new DeviceException("'" + text + "' in '" + spec + "' is not an mdev UUID (8-4-4-4-12 hex digits)");
        }
        return text.toLowerCase(Locale.ROOT);
    }

    /** An endpoint that borrows through the helper at {@code options.via()} at each open. */
    private static DeviceEndpoint helperEndpoint(Borrower borrower, String spec, String request, BorrowOptions options) {
        return new DeviceEndpoint() {
            @Override
            public String name() {
                return spec;
            }

            @Override
            public OpenDevice open(Kernel host) throws DeviceException {
                return borrower.throughHelper(host, borrower.sockets(), options.via(), request, options, spec);
            }
        };
    }

    /**
     * {@code vm:}. Keeps one endpoint per spec, so {@code vm:PID} is bound through one pidfd for
     * as long as this provider lives, however often the device is reopened; {@link #release}
     * closes those pidfds.
     */
    static final class Vm implements DeviceProvider {
        private final Borrower borrower;
        private final Map<String, DeviceEndpoint> endpoints = new LinkedHashMap<>();
        private final List<Borrower.Bound> bound = new ArrayList<>();

        Vm(Borrower borrower) {
            this.borrower = borrower;
        }

        @Override
        public String scheme() {
            return "vm";
        }

        @Override
        public synchronized DeviceEndpoint resolve(String spec) throws DeviceException {
            DeviceEndpoint e = endpoints.get(spec);
            if (e == null) {
                e = create(spec);
                endpoints.put(spec, e);
            }
            return e;
        }

        synchronized void release() {
            for (Borrower.Bound b : bound) {
                borrower.close(b);
            }
            bound.clear();
            endpoints.clear();
        }

        private DeviceEndpoint create(String spec) throws DeviceException {
            Spec s = Spec.parse(spec, "vm");
            String body = s.body();
            if (s.options().via() != null) {
                BorrowRequest.parse((BorrowRequest.VERB + " vm:" + body + "\n").getBytes(StandardCharsets.US_ASCII));
                return helperEndpoint(borrower, spec, "vm:" + body, s.options());
            }
            if (VfioOpener.UUID.matcher(body).matches()) {
                String uuid = body.toLowerCase(Locale.ROOT);
                borrower.mdev(uuid); // an unknown UUID is an error now, not a wait
                return new Borrower.Endpoint(borrower, spec, () -> borrower.holderOf(uuid), uuid, s.options());
            }
            int slash = body.indexOf('/');
            String pidText = slash < 0 ? body : body.substring(0, slash);
            String uuid = slash < 0 ? null : uuidOf(body.substring(slash + 1), spec);
            if (!PID.matcher(pidText).matches()) {
                throw new DeviceException("'" + spec + "' is not a vm: spec: expected vm:PID, vm:PID/UUID or vm:UUID");
            }
            Borrower.Bound process = borrower.bind(Integer.parseInt(pidText), false);
            bound.add(process);
            return new Borrower.Endpoint(borrower, spec, () -> process, uuid, s.options());
        }
    }

    /** {@code libvirt:}. */
    static final class Libvirt implements DeviceProvider {
        private final Borrower borrower;
        private final Function<String, DeviceProvider> others;
        private final Reporter reporter;

        Libvirt(Borrower borrower, Function<String, DeviceProvider> others, Reporter reporter) {
            this.borrower = borrower;
            this.others = Objects.requireNonNull(others, "others");
            this.reporter = Objects.requireNonNull(reporter, "reporter");
        }

        @Override
        public String scheme() {
            return "libvirt";
        }

        @Override
        public DeviceEndpoint resolve(String spec) throws DeviceException {
            Spec s = Spec.parse(spec, "libvirt");
            String body = s.body();
            int slash = body.lastIndexOf('/');
            String domain = slash < 0 ? body : body.substring(0, slash);
            String uuid = slash < 0 ? null : uuidOf(body.substring(slash + 1), spec);
            Matcher m = DOMAIN.matcher(domain);
            if (!m.matches() || domain.contains("..")) {
                throw new DeviceException("'" + spec + "' is not a libvirt: spec: expected libvirt:DOMAIN or"
                        + " libvirt:DOMAIN/UUID, with a domain name of letters, digits and _.+:@-");
            }
            if (s.options().via() != null) {
                return helperEndpoint(borrower, spec, "libvirt:" + body, s.options());
            }
            DeviceEndpoint vfio = new Borrower.Endpoint(borrower, spec, () -> borrower.libvirtDomain(domain), uuid,
                    s.options());
            return uuid != null ? vfio : new Domain(spec, domain, vfio);
        }

        /**
         * {@code libvirt:DOMAIN} without an mdev named: at each open, QEMU's D-Bus display when the
         * running domain has D-Bus graphics, else the VFIO fd of its display mdev.
         */
        private final class Domain implements DeviceEndpoint {
            private final String spec;
            private final String domain;
            private final DeviceEndpoint vfio;
            /** The last path said in the log, so a reopen on the same path says nothing new. */
            private volatile String said;

            Domain(String spec, String domain, DeviceEndpoint vfio) {
                this.spec = spec;
                this.domain = domain;
                this.vfio = vfio;
            }

            @Override
            public String name() {
                return spec;
            }

            @Override
            public OpenDevice open(Kernel host) throws DeviceException {
                Optional<DeviceEndpoint> display = qemuDisplay();
                return display.isPresent() ? display.get().open(host) : vfio.open(host);
            }

            /** The D-Bus display's keyboard and mouse while the domain runs with D-Bus graphics; else none. */
            @Override
            public Optional<InputTarget> input() {
                try {
                    Optional<InputTarget> in = qemuDisplay().flatMap(DeviceEndpoint::input);
                    return in == null ? Optional.empty() : in;
                } catch (DeviceException | RuntimeException e) {
                    return Optional.empty(); // the open says what is wrong
                }
            }

            /** The {@value #QEMU_DBUS} endpoint of the domain's D-Bus display, or empty for the VFIO path. */
            private Optional<DeviceEndpoint> qemuDisplay() throws DeviceException {
                Optional<LibvirtStatus> status = LibvirtStatus.read(borrower.runRoot(), domain);
                if (status.isEmpty() || status.get().dbus().isEmpty()) {
                    return Optional.empty();
                }
                LibvirtStatus.DbusGraphics g = status.get().dbus().get(0);
                if (g.p2p()) {
                    throw new DeviceException("libvirt domain '" + domain + "' has <graphics type='dbus' p2p='yes'/>:"
                            + " libvirt keeps that peer-to-peer D-Bus connection to itself (virDomainOpenGraphics), so"
                            + " Scanout cannot reach the display; use <graphics type='dbus'/> (libvirt's bus for the"
                            + " domain) or address='unix:path=...'");
                }
                if (g.address() == null || g.address().isEmpty()) {
                    throw new DeviceException("libvirt domain '" + domain + "' has <graphics type='dbus'/> but its"
                            + " status file names no address (is the domain still starting?)", Errno.EAGAIN.number());
                }
                DeviceProvider provider = others.apply(QEMU_DBUS);
                if (provider == null) {
                    throw new DeviceException("libvirt domain '" + domain + "' has D-Bus graphics, but no device"
                            + " provider for scheme 'qemu-dbus' is installed (the plugin-source-qemu-dbus bundle)");
                }
                String target = QEMU_DBUS + ":bus:" + g.address() + "?console=0";
                List<String> mdevs = status.get().mdevs();
                if (!mdevs.isEmpty() && !target.equals(said)) {
                    said = target;
                    reporter.info(spec + ": the domain has D-Bus graphics and mdev " + mdevs.get(0) + ": reading"
                            + " QEMU's D-Bus display (" + target + "); libvirt:" + domain + "/" + mdevs.get(0)
                            + " borrows the mdev's VFIO fd instead");
                }
                DeviceEndpoint endpoint = provider.resolve(target);
                if (endpoint == null) {
                    throw new DeviceException("the '" + QEMU_DBUS + "' provider resolved '" + target + "' to nothing");
                }
                return Optional.of(endpoint);
            }
        }
    }

    /** {@code fd:}. */
    static final class Fd implements DeviceProvider {
        private final Borrower borrower;

        Fd(Borrower borrower) {
            this.borrower = borrower;
        }

        @Override
        public String scheme() {
            return "fd";
        }

        @Override
        public DeviceEndpoint resolve(String spec) throws DeviceException {
            Spec s = Spec.parse(spec, "fd");
            if (!s.body().matches("[0-9]{1,9}") || Integer.parseInt(s.body()) < 3) {
                throw new DeviceException("'" + spec + "' is not an fd: spec: expected fd:N with N an inherited fd of 3"
                        + " or more");
            }
            int fd = Integer.parseInt(s.body());
            return new DeviceEndpoint() {
                @Override
                public String name() {
                    return spec;
                }

                @Override
                public OpenDevice open(Kernel host) throws DeviceException {
                    return borrower.inherited(host, fd, s.options(), spec);
                }
            };
        }
    }
}
