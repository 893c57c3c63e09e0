package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import io.github.scanout.core.internal.vfio.VfioOpener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 *       domain, from {@code /run/libvirt/qemu/DOMAIN.pid} at each open.</li>
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

    /** The three providers over the real system. */
    public static List<DeviceProvider> real(Path sysfsRoot, Path devRoot) {
        return real(Path.of("/proc"), Path.of("/run"), sysfsRoot, devRoot);
    }

    /** The three providers over the given roots (the real ones, or a test's fake trees). */
    public static List<DeviceProvider> real(Path procRoot, Path runRoot, Path sysfsRoot, Path devRoot) {
        Borrower b = new Borrower(LibcKernel::instance, new ProcScan(procRoot, sysfsRoot, devRoot), Adopter.vfio(),
                procRoot, runRoot);
        return of(b);
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

    /** The three providers over a given borrower (tests give fake roots and adopters). */
    public static List<DeviceProvider> of(Borrower b) {
        return List.of(new Vm(b), new Libvirt(b), new Fd(b));
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

        Libvirt(Borrower borrower) {
            this.borrower = borrower;
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
            return new Borrower.Endpoint(borrower, spec, () -> borrower.libvirtDomain(domain), uuid, s.options());
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
