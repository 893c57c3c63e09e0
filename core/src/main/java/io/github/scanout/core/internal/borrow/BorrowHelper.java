package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import io.github.scanout.core.internal.nativeio.UnixSockets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scanout-borrow}: the least-privilege borrow helper. It runs with the right to borrow
 * (root, or {@code CAP_SYS_PTRACE}), listens on a Unix socket (its own, or the one systemd passes
 * with {@code LISTEN_FDS}), and for each authorised client that sends {@code borrow SPEC}
 * ({@link BorrowRequest}) finds the VMM, duplicates its display device fd with
 * {@code pidfd_getfd}, and hands that fd and a pidfd of the VMM to the client with
 * {@code SCM_RIGHTS}; the unprivileged Scanout ({@code vm:...?via=SOCKET}) then captures through
 * it in observer mode and keeps no capability. The helper keeps nothing: its copies are closed
 * once sent.
 *
 * <p>Authorisation: the peer's credentials from {@code SO_PEERCRED}; root, an allowed uid, or a
 * member (primary or supplementary, from {@code /proc/PID/status}) of an allowed group. The
 * socket file's mode (0660, group scanout) keeps others from connecting at all.
 *
 * <p>Threads: {@link #serve} accepts on the calling thread and handles each connection on a
 * daemon thread of its own.
 */
public final class BorrowHelper {

    private static final System.Logger LOG = System.getLogger(BorrowHelper.class.getName());
    private static final Pattern GROUPS = Pattern.compile("(?m)^Groups:\\s*([0-9 ]*)$");

    private final Borrower borrower;
    private final UnixSockets sockets;
    private final Kernel host;
    private final Set<Integer> uids;
    private final Set<Integer> gids;
    private final Path procRoot;

    /**
     * @param uids uids allowed besides root
     * @param gids groups whose members are allowed
     */
    public BorrowHelper(Borrower borrower, UnixSockets sockets, Kernel host, Set<Integer> uids, Set<Integer> gids,
            Path procRoot) {
        this.borrower = Objects.requireNonNull(borrower, "borrower");
        this.sockets = Objects.requireNonNull(sockets, "sockets");
        this.host = Objects.requireNonNull(host, "host");
        this.uids = Set.copyOf(uids);
        this.gids = Set.copyOf(gids);
        this.procRoot = procRoot;
    }

    /** Accepts and serves connections until accept fails (the socket is closed). */
    public void serve(int listening) throws DeviceException {
        while (true) {
            int conn = sockets.accept(listening);
            Thread t = new Thread(() -> handle(conn), "scanout-borrow-" + conn);
            t.setDaemon(true);
            t.start();
        }
    }

    /** Serves one connection and closes it. */
    void handle(int conn) {
        try {
            UnixSockets.PeerCred peer = sockets.peer(conn);
            String refusal = authorise(peer);
            if (refusal != null) {
                LOG.log(System.Logger.Level.WARNING, "refused pid " + peer.pid() + " uid " + peer.uid() + ": " + refusal);
                sockets.send(conn, BorrowRequest.error(refusal, false));
                return;
            }
            UnixSockets.Received r = sockets.receive(conn, BorrowRequest.MAX_REQUEST + 1);
            for (int fd : r.fds()) {
                sockets.closeQuietly(fd); // clients send none
            }
            BorrowRequest req;
            try {
                req = BorrowRequest.parse(r.bytes());
            } catch (DeviceException e) {
                sockets.send(conn, BorrowRequest.error("bad request: " + e.getMessage(), false));
                return;
            }
            lend(conn, req, peer);
        } catch (DeviceException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "connection " + conn + ": " + e.getMessage());
        } finally {
            sockets.closeQuietly(conn);
        }
    }

    private void lend(int conn, BorrowRequest req, UnixSockets.PeerCred peer) throws DeviceException {
        Borrower.Bound vmm;
        Borrower.Lent lent;
        try {
            vmm = locate(req.spec());
        } catch (DeviceException e) {
            sockets.send(conn, BorrowRequest.error(Borrower.plain(e), e.isTransient()));
            return;
        }
        try {
            lent = borrower.find(host, vmm, uuidOf(req.spec()));
        } catch (DeviceException e) {
            borrower.close(vmm);
            sockets.send(conn, BorrowRequest.error(Borrower.plain(e), e.isTransient()));
            return;
        }
        try {
            sockets.send(conn, BorrowRequest.ok(vmm.pid(), lent.held().uuid()), lent.device().fd(), vmm.pidfd());
            LOG.log(System.Logger.Level.INFO, "lent mdev " + lent.held().uuid() + " of the VMM " + lent.who().describe()
                    + " to pid " + peer.pid() + " uid " + peer.uid());
        } finally {
            sockets.closeQuietly(lent.device().fd());
            borrower.close(vmm);
        }
    }

    private Borrower.Bound locate(String spec) throws DeviceException {
        String body = spec.substring(spec.indexOf(':') + 1);
        if (spec.startsWith("libvirt:")) {
            int slash = body.lastIndexOf('/');
            return borrower.libvirtDomain(slash < 0 ? body : body.substring(0, slash));
        }
        int slash = body.indexOf('/');
        String first = slash < 0 ? body : body.substring(0, slash);
        if (first.contains("-")) {
            return borrower.holderOf(first);
        }
        return borrower.bind(Integer.parseInt(first), true);
    }

    private static String uuidOf(String spec) {
        int slash = spec.lastIndexOf('/');
        if (slash >= 0) {
            return spec.substring(slash + 1).toLowerCase(Locale.ROOT);
        }
        String body = spec.substring(spec.indexOf(':') + 1);
        return spec.startsWith("vm:") && body.contains("-") ? body.toLowerCase(Locale.ROOT) : null;
    }

    /** Null when the peer may borrow, else why not. */
    String authorise(UnixSockets.PeerCred peer) {
        if (peer.uid() == 0 || uids.contains(peer.uid()) || gids.contains(peer.gid())) {
            return null;
        }
        try {
            Matcher m = GROUPS.matcher(Files.readString(procRoot.resolve(peer.pid() + "/status"),
                    StandardCharsets.UTF_8));
            if (m.find()) {
                for (String g : m.group(1).trim().split(" +")) {
                    if (!g.isEmpty() && gids.contains(Integer.parseInt(g))) {
                        return null;
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no supplementary groups known: decided by uid and primary gid
        }
        return "not authorised: uid " + peer.uid() + " is not root, not an allowed uid " + uids + ", and not in an"
                + " allowed group " + gids;
    }

    // ---- the command ---------------------------------------------------------------------------

    /** The listening fd systemd passed (socket activation), or -1. */
    static int activated(String listenPid, String listenFds, long pid) {
        if (listenPid == null || listenFds == null) {
            return -1;
        }
        try {
            return Long.parseLong(listenPid.trim()) == pid && Integer.parseInt(listenFds.trim()) >= 1 ? 3 : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A group's gid from its number or its name in /etc/group. */
    static int gid(String group, Path etcGroup) throws IOException {
        if (group.matches("[0-9]{1,9}")) {
            return Integer.parseInt(group);
        }
        for (String line : Files.readAllLines(etcGroup, StandardCharsets.UTF_8)) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && f[0].equals(group)) {
                return Integer.parseInt(f[2]);
            }
        }
        throw new IOException("no group '" + group + "' in " + etcGroup);
    }

    /**
     * {@code scanout-borrow [--socket PATH] [--group NAME|GID]... [--allow-uid UID]...}: serves on
     * the socket systemd passed, else on PATH (default /run/scanout/borrow.sock), created with
     * mode 0660 and the first group.
     */
    public static void main(String[] args) {
        String path = BorrowOptions.DEFAULT_SOCKET;
        List<String> groups = new ArrayList<>();
        List<Integer> allowUids = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                switch (a) {
                    case "--socket" -> path = args[++i];
                    case "--group" -> groups.add(args[++i]);
                    case "--allow-uid" -> allowUids.add(Integer.parseInt(args[++i]));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            Set<Integer> gids = new java.util.HashSet<>();
            for (String g : groups) {
                gids.add(gid(g, Path.of("/etc/group")));
            }
            UnixSockets sockets = UnixSockets.real();
            int listening = activated(System.getenv("LISTEN_PID"), System.getenv("LISTEN_FDS"),
                    ProcessHandle.current().pid());
            if (listening < 0) {
                Path p = Path.of(path);
                Files.createDirectories(p.toAbsolutePath().getParent());
                Files.deleteIfExists(p);
                listening = sockets.listen(path);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw----"));
                if (!groups.isEmpty()) {
                    GroupPrincipal gp = p.getFileSystem().getUserPrincipalLookupService()
                            .lookupPrincipalByGroupName(groups.get(0));
                    Files.getFileAttributeView(p, PosixFileAttributeView.class).setGroup(gp);
                }
                System.err.println("scanout-borrow: listening on " + path + " (mode 0660" + (groups.isEmpty() ? ""
                        : ", group " + groups.get(0)) + ")");
            } else {
                System.err.println("scanout-borrow: serving the socket systemd passed (fd 3)");
            }
            Path proc = Path.of("/proc");
            Borrower borrower = new Borrower(LibcKernel::instance, () -> sockets,
                    new ProcScan(proc, Path.of("/sys"), Path.of("/dev")), Adopter.vfio(), proc, Path.of("/run"));
            new BorrowHelper(borrower, sockets, LibcKernel.instance(), Set.copyOf(allowUids), gids, proc)
                    .serve(listening);
        } catch (IllegalArgumentException e) {
            System.err.println("scanout-borrow: " + e.getMessage()
                    + "\nusage: scanout-borrow [--socket PATH] [--group NAME|GID]... [--allow-uid UID]...");
            System.exit(2);
        } catch (IOException e) {
            System.err.println("scanout-borrow: " + e.getMessage());
            System.exit(1);
        }
    }
}
