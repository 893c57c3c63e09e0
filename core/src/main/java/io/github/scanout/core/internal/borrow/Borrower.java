package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.kernel.DeviceEndpoint;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Vfio;
import io.github.scanout.core.MdevInfo;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import io.github.scanout.core.internal.nativeio.UnixSockets;
import io.github.scanout.core.internal.vfio.GfxPlaneInfoCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Borrows the VFIO display device a running VMM holds: finds the process and the fd
 * ({@link ProcScan}), binds to the process through a pidfd, duplicates the fd with
 * {@code pidfd_getfd}, checks it is a display device, and hands it out in observer mode
 * ({@link ObserverKernel}) with a {@code gone} signal that completes when the VMM exits.
 *
 * <p>Rights: {@code pidfd_getfd} needs ptrace-attach rights over the VMM
 * ({@code PTRACE_MODE_ATTACH_REALCREDS}): the same uid, and Yama's {@code ptrace_scope} 0 (or 1
 * when Scanout is the VMM's ancestor), or {@code CAP_SYS_PTRACE}. Every refusal says which.
 *
 * <p>Threads: any thread; each open starts one daemon thread ({@code scanout-vmm-watch-PID})
 * that polls the pidfd until the VMM exits or the device fd is closed.
 */
public final class Borrower {

    private static final System.Logger LOG = System.getLogger(Borrower.class.getName());

    /** How often a watcher looks whether the device was closed (the exit itself wakes it at once). */
    static final int WATCH_SLICE_MS = 100;

    /** {@code ECONNREFUSED}: a socket file nobody listens on. */
    private static final int ECONNREFUSED = 111;

    private final Supplier<LibcKernel> libc;
    private final Supplier<UnixSockets> sockets;
    private final ProcScan scan;
    private final Adopter adopter;
    private final Path procRoot;
    private final Path runRoot;

    /**
     * @param libc the real C library (pidfd calls), loaded on first use
     * @param procRoot normally {@code /proc}
     * @param runRoot normally {@code /run}: libvirt's pid files are under {@code libvirt/qemu}
     */
    public Borrower(Supplier<LibcKernel> libc, ProcScan scan, Adopter adopter, Path procRoot, Path runRoot) {
        this(libc, UnixSockets::real, scan, adopter, procRoot, runRoot);
    }

    /** With the Unix sockets the borrow helper is reached through. */
    public Borrower(Supplier<LibcKernel> libc, Supplier<UnixSockets> sockets, ProcScan scan, Adopter adopter,
            Path procRoot, Path runRoot) {
        this.sockets = Objects.requireNonNull(sockets, "sockets");
        this.libc = Objects.requireNonNull(libc, "libc");
        this.scan = Objects.requireNonNull(scan, "scan");
        this.adopter = Objects.requireNonNull(adopter, "adopter");
        this.procRoot = procRoot;
        this.runRoot = runRoot;
    }

    ProcScan scan() {
        return scan;
    }

    /** Where libvirt's run files are ({@code /run}, or a test's tree). */
    Path runRoot() {
        return runRoot;
    }

    UnixSockets sockets() {
        return sockets.get();
    }

    // ---- finding the process -------------------------------------------------------------------

    /** A process bound through a pidfd. */
    record Bound(int pid, int pidfd, boolean owned) {}

    /** {@code pidfd_open(pid)}, with its errors named. */
    Bound bind(int pid, boolean owned) throws DeviceException {
        try {
            return new Bound(pid, libc.get().pidfdOpen(pid), owned);
        } catch (DeviceException e) {
            if (e.is(Errno.ESRCH)) {
                throw new DeviceException("no such process " + pid, e);
            }
            if (e.is(Errno.ENOSYS)) {
                throw new DeviceException("this kernel (" + System.getProperty("os.version") + ") is too old to borrow a"
                        + " device from a VMM: pidfd_open needs Linux 5.3 and pidfd_getfd Linux 5.6", e);
            }
            throw new DeviceException("binding to process " + pid + " (pidfd_open)", e);
        }
    }

    void release(Bound b) {
        if (b.owned()) {
            closeQuietly(b.pidfd());
        }
    }

    /** Closes the pidfd of a binding that is not owned by its opens ({@code vm:PID}'s). */
    void close(Bound b) {
        closeQuietly(b.pidfd());
    }

    private void closeQuietly(int fd) {
        try {
            libc.get().close(fd);
        } catch (DeviceException e) {
            LOG.log(System.Logger.Level.WARNING, "closing fd " + fd + ": " + e.getMessage());
        }
    }

    boolean exited(Bound b) throws DeviceException {
        return libc.get().pollIn(b.pidfd(), 0);
    }

    /** The process holding an mdev now, bound; EAGAIN when none does (the VM is not running). */
    Bound holderOf(String uuid) throws DeviceException {
        MdevInfo mdev = mdev(uuid);
        List<Integer> holders = scan.holders(mdev);
        if (holders.isEmpty()) {
            throw new DeviceException("no process holds mdev " + uuid + " (is its VM running? Scanout waits for a VMM"
                    + " to hold it and never opens it itself)", Errno.EAGAIN.number());
        }
        return bind(holders.get(0), true);
    }

    MdevInfo mdev(String uuid) throws DeviceException {
        for (MdevInfo m : scan.mdevs()) {
            if (m.uuid().equals(uuid)) {
                return m;
            }
        }
        throw new DeviceException("no mdev " + uuid + " on this host (ls /sys/bus/mdev/devices)");
    }

    /** The QEMU process of a running libvirt domain, from its pid file; EAGAIN when it is not running. */
    Bound libvirtDomain(String domain) throws DeviceException {
        Path pidFile = runRoot.resolve("libvirt/qemu").resolve(domain + ".pid");
        String text;
        try {
            text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            throw new DeviceException("libvirt domain '" + domain + "' is not running (" + pidFile + " does not exist)",
                    Errno.EAGAIN.number());
        } catch (IOException e) {
            throw new DeviceException("cannot read libvirt's pid file " + pidFile + ": " + e.getMessage());
        }
        int pid;
        try {
            pid = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new DeviceException("libvirt's pid file " + pidFile + " holds '" + text + "', not a PID");
        }
        try {
            return bind(pid, true);
        } catch (DeviceException e) {
            if (e.is(Errno.ESRCH)) { // a stale pid file: the domain stopped
                throw new DeviceException("libvirt domain '" + domain + "' is not running (" + pidFile + " names PID "
                        + pid + ", which has exited)", Errno.EAGAIN.number());
            }
            throw e;
        }
    }

    // ---- borrowing the device ------------------------------------------------------------------

    /**
     * Borrows the display device the bound process holds.
     *
     * @param uuid the mdev wanted, or null for the only display device it holds
     * @param name what the spec said, for messages
     */
    OpenDevice borrow(Kernel host, Bound vmm, String uuid, BorrowOptions options, String name) throws DeviceException {
        Lent l = find(host, vmm, uuid);
        return observe(host, l.device(), vmm, l.who(), l.held(), options, name);
    }

    /** A display device found in a VMM and duplicated here, not yet in observer mode. */
    record Lent(ProcScan.Held held, OpenDevice device, ProcScan.ProcessInfo who) {}

    /** Finds the display device the bound process holds and duplicates it (the helper sends it on). */
    Lent find(Kernel host, Bound vmm, String uuid) throws DeviceException {
        ProcScan.ProcessInfo who = scan.info(vmm.pid());
        if (exited(vmm)) {
            throw new DeviceException("the VMM " + who.describe() + " has exited", Errno.ESRCH.number());
        }
        List<ProcScan.Held> held = scan.held(vmm.pid(), scan.mdevs());
        if (held.isEmpty()) {
            throw new DeviceException("process " + who.describe() + " holds no VFIO mdev: it is not a VMM, or its VM has"
                    + " no vGPU");
        }
        List<ProcScan.Held> wanted = held;
        if (uuid != null) {
            wanted = held.stream().filter(h -> h.uuid().equals(uuid)).toList();
            if (wanted.isEmpty()) {
                throw new DeviceException("process " + who.describe() + " does not hold mdev " + uuid + " (it holds "
                        + String.join(", ", held.stream().map(ProcScan.Held::uuid).toList()) + ")");
            }
        }
        record Found(ProcScan.Held held, OpenDevice device) {}
        List<Found> display = new ArrayList<>();
        List<String> notDisplay = new ArrayList<>();
        DeviceException firstFailure = null;
        try {
            for (ProcScan.Held h : wanted) {
                for (int targetFd : h.deviceFds()) {
                    int fd;
                    try {
                        fd = getfd(vmm, targetFd, who);
                    } catch (DeviceException e) {
                        if (e.is(Errno.EBADF)) { // closed meanwhile
                            firstFailure = firstFailure == null ? e : firstFailure;
                            continue;
                        }
                        throw e;
                    }
                    OpenDevice od = adopter.adopt(host, fd, "fd " + targetFd + " of process " + vmm.pid());
                    if (isDisplay(od)) {
                        display.add(new Found(h, od));
                    } else {
                        notDisplay.add(h.uuid());
                        closeQuietly(od);
                    }
                }
            }
            if (display.isEmpty()) {
                if (wanted.stream().allMatch(h -> h.deviceFds().isEmpty())) {
                    throw new DeviceException("process " + who.describe() + " holds the group of mdev "
                            + wanted.get(0).uuid() + " but no device fd of it yet (is the VM starting?)",
                            Errno.EAGAIN.number());
                }
                throw new DeviceException("process " + who.describe() + " holds no display device: "
                        + (notDisplay.isEmpty() ? "its device fds closed meanwhile" : "mdev "
                        + String.join(", ", notDisplay) + " refused the VFIO_DEVICE_QUERY_GFX_PLANE probe"), firstFailure);
            }
            long distinct = display.stream().map(f -> f.held().uuid()).distinct().count();
            if (display.size() > 1) {
                String which = String.join(", ", display.stream().map(f -> f.held().uuid()).distinct().toList());
                throw new DeviceException(distinct > 1
                        ? "process " + who.describe() + " holds several display mdevs (" + which + "): name one with "
                                + "vm:" + vmm.pid() + "/UUID"
                        : "process " + who.describe() + " holds several display device fds that this kernel cannot tell"
                                + " apart (no vfio-device-syspath in /proc/PID/fdinfo before Linux 6.18): " + which);
            }
        } catch (Throwable t) {
            for (Found f : display) {
                closeQuietly(f.device());
            }
            throw t;
        }
        Found f = display.get(0);
        return new Lent(f.held(), f.device(), who);
    }

    private int getfd(Bound vmm, int targetFd, ProcScan.ProcessInfo who) throws DeviceException {
        try {
            return libc.get().pidfdGetfd(vmm.pidfd(), targetFd);
        } catch (DeviceException e) {
            if (e.is(Errno.EPERM)) {
                throw new DeviceException("no ptrace right over the VMM " + who.describe() + ": borrowing its device"
                        + " needs the same uid and Yama's kernel.yama.ptrace_scope at 0 (it is " + yamaScope()
                        + "), or CAP_SYS_PTRACE (see \"Running VMs\" in the operator guide)", e);
            }
            if (e.is(Errno.ESRCH)) {
                throw new DeviceException("the VMM " + who.describe() + " exited", e);
            }
            if (e.is(Errno.ENOSYS)) {
                throw new DeviceException("this kernel (" + System.getProperty("os.version") + ") is too old to borrow a"
                        + " device from a VMM: pidfd_getfd needs Linux 5.6", e);
            }
            throw new DeviceException("borrowing fd " + targetFd + " of the VMM " + who.describe(), e);
        }
    }

    /** Yama's ptrace_scope, or "absent" when Yama is not in the kernel. */
    String yamaScope() {
        try {
            return Files.readString(procRoot.resolve("sys/kernel/yama/ptrace_scope")).trim();
        } catch (IOException e) {
            return "absent: no Yama";
        }
    }

    /** Whether the device answers a display probe (region or dma-buf). */
    static boolean isDisplay(OpenDevice od) throws DeviceException {
        for (int type : new int[] {Vfio.GFX_PLANE_TYPE_REGION, Vfio.GFX_PLANE_TYPE_DMABUF}) {
            ByteBuffer b = GfxPlaneInfoCodec.query(Vfio.GFX_PLANE_TYPE_PROBE | type, PlaneType.PRIMARY);
            try {
                od.kernel().ioctl(od.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, b);
                return true;
            } catch (DeviceException e) {
                if (!e.is(Errno.EINVAL) && !e.is(Errno.ENOTTY)) {
                    throw e;
                }
            }
        }
        return false;
    }

    private void closeQuietly(OpenDevice od) {
        try {
            od.kernel().close(od.fd());
        } catch (DeviceException e) {
            LOG.log(System.Logger.Level.WARNING, "closing a borrowed fd: " + e.getMessage());
        }
    }

    // ---- through the borrow helper --------------------------------------------------------------

    /**
     * Borrows through the helper listening at {@code socket}: sends {@code borrow SPEC}, receives
     * the device fd and a pidfd of the VMM ({@code SCM_RIGHTS}), and watches and observes the
     * device as if borrowed here. Needs no right over the VMM, only access to the socket.
     */
    OpenDevice throughHelper(Kernel host, UnixSockets sockets, String socket, String spec, BorrowOptions options,
            String name) throws DeviceException {
        try {
            return helperBorrow(host, sockets, socket, spec, options, name);
        } catch (DeviceException e) {
            throw new DeviceException(name + ": " + plain(e), e.errno(), e.getCause());
        }
    }

    /** The message without the {@code : ERRNO} the exception appends (so that a re-wrap does not repeat it). */
    static String plain(DeviceException e) {
        String m = e.getMessage();
        String suffix = ": " + Errno.name(e.errno());
        return e.errno() != 0 && m.endsWith(suffix) ? m.substring(0, m.length() - suffix.length()) : m;
    }

    private OpenDevice helperBorrow(Kernel host, UnixSockets sockets, String socket, String spec, BorrowOptions options,
            String name) throws DeviceException {
        int conn;
        try {
            conn = sockets.connect(socket);
        } catch (DeviceException e) {
            if (e.is(Errno.ENOENT) || e.errno() == ECONNREFUSED) {
                throw new DeviceException("no borrow helper listens at " + socket + " (is scanout-borrow.socket"
                        + " running? systemctl status scanout-borrow.socket)", Errno.EAGAIN.number(), e);
            }
            if (e.is(Errno.EACCES) || e.is(Errno.EPERM)) {
                throw new DeviceException("permission denied on the borrow helper's socket " + socket + " (add this"
                        + " user to the socket's group, scanout by default)", e);
            }
            throw new DeviceException("connecting to the borrow helper at " + socket, e);
        }
        UnixSockets.Received r;
        try {
            sockets.send(conn, (BorrowRequest.VERB + " " + spec + "\n").getBytes(StandardCharsets.US_ASCII));
            r = sockets.receive(conn, BorrowRequest.MAX_REPLY);
        } finally {
            sockets.closeQuietly(conn);
        }
        BorrowRequest.Reply reply;
        try {
            reply = BorrowRequest.parseReply(r.bytes(), r.fds().length);
        } catch (DeviceException e) {
            for (int fd : r.fds()) {
                sockets.closeQuietly(fd);
            }
            throw new DeviceException("the borrow helper at " + socket + ": " + e.getMessage());
        }
        if (reply.error() != null) {
            for (int fd : r.fds()) {
                sockets.closeQuietly(fd);
            }
            throw new DeviceException("the borrow helper at " + socket + " refused " + spec + ": " + reply.error(),
                    reply.transientError() ? Errno.EAGAIN.number() : 0);
        }
        Bound vmm = new Bound(reply.pid(), r.fds()[1], true);
        OpenDevice od;
        try {
            od = adopter.adopt(host, r.fds()[0], "the device fd from the borrow helper");
        } catch (DeviceException e) {
            release(vmm);
            throw e;
        }
        ProcScan.ProcessInfo who = scan.info(reply.pid());
        return observe(host, od, vmm, who, new ProcScan.Held(reply.uuid(), List.of(), "the borrow helper at " + socket),
                options, name);
    }

    /** Wraps a borrowed device in observer mode and starts watching its VMM. */
    private OpenDevice observe(Kernel host, OpenDevice od, Bound vmm, ProcScan.ProcessInfo who, ProcScan.Held held,
            BorrowOptions options, String name) {
        String dmabufRefusal = null;
        if (who.command().contains("display=on")) {
            if (options.sharedDisplay()) {
                LOG.log(System.Logger.Level.WARNING, name + ": the VMM shows mdev " + held.uuid() + " itself (display=on)"
                        + " and shared-display=allow is set: both take its dma-bufs");
            } else {
                dmabufRefusal = "the VMM " + who.describe() + " shows this vGPU itself (display=on), and a second"
                        + " GET_GFX_DMABUF of one buffer can crash the mbochs driver; give the VM display=off, or add"
                        + " ?shared-display=allow to the spec";
            }
        }
        CompletableFuture<String> gone = new CompletableFuture<>();
        Watch watch = new Watch(vmm, who, gone);
        String label = "mdev " + held.uuid() + " borrowed from the VMM " + who.describe();
        ObserverKernel kernel = new ObserverKernel(od.kernel(), od.fd(), label, options, dmabufRefusal, watch::stop);
        LOG.log(System.Logger.Level.INFO, name + ": borrowed " + label + " (matched by " + held.how()
                + "); observer mode");
        watch.start();
        return new OpenDevice(kernel, od.fd(), gone);
    }

    /** Polls the pidfd until the VMM exits (completing {@code gone}) or the device is closed. */
    private final class Watch implements Runnable {
        private final Bound vmm;
        private final ProcScan.ProcessInfo who;
        private final CompletableFuture<String> gone;
        private volatile boolean stopped;

        Watch(Bound vmm, ProcScan.ProcessInfo who, CompletableFuture<String> gone) {
            this.vmm = vmm;
            this.who = who;
            this.gone = gone;
        }

        void start() {
            Thread t = new Thread(this, "scanout-vmm-watch-" + vmm.pid());
            t.setDaemon(true);
            t.start();
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            try {
                while (!stopped) {
                    if (libc.get().pollIn(vmm.pidfd(), WATCH_SLICE_MS)) {
                        if (!stopped) {
                            gone.complete("the VMM (PID " + vmm.pid() + ") exited");
                        }
                        return;
                    }
                }
            } catch (DeviceException e) {
                LOG.log(System.Logger.Level.WARNING, "watching the VMM " + who.describe() + " failed: " + e.getMessage());
            } finally {
                release(vmm);
            }
        }
    }

    // ---- fd:N ----------------------------------------------------------------------------------

    /** An inherited VFIO device fd, duplicated for each open; never gone. */
    OpenDevice inherited(Kernel host, int fd, BorrowOptions options, String name) throws DeviceException {
        int copy;
        try {
            copy = host.dup(fd);
        } catch (DeviceException e) {
            throw new DeviceException(name + ": no inherited fd " + fd + (e.is(Errno.EBADF) ? " (it is not open in"
                    + " this process: the parent must leave it open across exec, without FD_CLOEXEC)" : ""), e);
        }
        try {
            host.fcntl(copy, Linux.F_SETFD, Linux.FD_CLOEXEC);
        } catch (DeviceException e) {
            try {
                host.close(copy);
            } catch (DeviceException ignored) {
                // reported below
            }
            throw e;
        }
        OpenDevice od = adopter.adopt(host, copy, name);
        String label = "the inherited device fd " + fd;
        return new OpenDevice(new ObserverKernel(od.kernel(), od.fd(), label, options, null, () -> {}), od.fd());
    }

    /** A borrowing endpoint: finds the VMM at each open through {@code locate}. */
    static final class Endpoint implements DeviceEndpoint {
        interface Locate {
            Bound locate() throws DeviceException;
        }

        private final Borrower borrower;
        private final String name;
        private final Locate locate;
        private final String uuid;
        private final BorrowOptions options;

        Endpoint(Borrower borrower, String name, Locate locate, String uuid, BorrowOptions options) {
            this.borrower = borrower;
            this.name = name;
            this.locate = locate;
            this.uuid = uuid;
            this.options = options;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public OpenDevice open(Kernel host) throws DeviceException {
            Bound vmm = locate.locate();
            try {
                OpenDevice od = borrower.borrow(host, vmm, uuid, options, name);
                vmm = null; // the watch owns it now
                return od;
            } finally {
                if (vmm != null) {
                    borrower.release(vmm);
                }
            }
        }
    }
}
