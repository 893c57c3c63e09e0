package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import io.github.scanout.core.MdevInfo;
import io.github.scanout.core.internal.vfio.MdevDiscovery;
import io.github.scanout.core.internal.vfio.VfioOpener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds which process holds which mdev by reading {@code /proc}, never by opening a device.
 *
 * <p>A VMM holds an mdev in one of two ways, and {@code /proc/PID/fd} shows both:
 * <ul>
 *   <li>cdev path (Linux 6.6+): an fd whose link is {@code /dev/vfio/devices/vfioN}. That fd
 *       is the device fd; sysfs names its mdev ({@code /sys/bus/mdev/devices/UUID/vfio-dev/vfioN}).</li>
 *   <li>legacy path: an fd on the group {@code /dev/vfio/N} and, for the device itself, an fd
 *       whose link is {@code anon_inode:[vfio-device]}, which names no device. It is matched to
 *       its mdev, in this order: (1) the {@code vfio-device-syspath:} line of
 *       {@code /proc/PID/fdinfo/FD} (Linux 6.18 and later), whose last component is the mdev
 *       UUID; (2) when the process holds exactly one mdev group and one unmatched device fd,
 *       they belong together (an mdev is alone in its IOMMU group, so a group fd names one
 *       mdev); (3) otherwise every unmatched device fd is a candidate, and the borrower keeps
 *       the one that answers a display probe ({@link Borrower}).</li>
 * </ul>
 * Reading another process's fd links needs the same rights as {@code pidfd_getfd}: the same uid
 * (and Yama allowing it) or {@code CAP_SYS_PTRACE}; without them a process shows as "cannot
 * look".
 *
 * <p>Threads: stateless apart from its roots; any thread.
 */
public final class ProcScan {

    /** The link text of a legacy-path VFIO device fd. */
    static final String ANON_DEVICE = "anon_inode:[vfio-device]";

    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern SYSPATH = Pattern.compile("(?m)^vfio-device-syspath:\\s*(\\S+)\\s*$");

    private final Path procRoot;
    private final Path sysfsRoot;
    private final Path devRoot;

    /**
     * @param procRoot normally {@code /proc}
     * @param sysfsRoot normally {@code /sys}
     * @param devRoot normally {@code /dev}: the prefix the fd links of device nodes start with
     */
    public ProcScan(Path procRoot, Path sysfsRoot, Path devRoot) {
        this.procRoot = procRoot;
        this.sysfsRoot = sysfsRoot;
        this.devRoot = devRoot;
    }

    /** The host's mdevs (from sysfs). */
    public List<MdevInfo> mdevs() throws DeviceException {
        return new MdevDiscovery(sysfsRoot).list();
    }

    /**
     * One mdev a process holds.
     *
     * @param uuid the mdev
     * @param deviceFds the fd (in the holder) of the device, or, when it could not be told
     *     apart, every candidate; empty when the process holds the group but no device fd
     * @param how how the device fd was matched, for messages
     */
    public record Held(String uuid, List<Integer> deviceFds, String how) {}

    /** Thrown when a process's fds cannot be read. */
    public static final class CannotLook extends DeviceException {
        private static final long serialVersionUID = 1L;

        CannotLook(String message) {
            super(message);
        }
    }

    /**
     * The mdevs process {@code pid} holds.
     *
     * @throws CannotLook when {@code /proc/PID/fd} cannot be read (no such process, no right)
     */
    public List<Held> held(int pid, List<MdevInfo> mdevs) throws DeviceException {
        Map<Integer, String> links = fdLinks(pid);
        Map<Integer, MdevInfo> byGroup = new HashMap<>();
        Map<String, MdevInfo> byCdev = new HashMap<>();
        Map<String, MdevInfo> byUuid = new HashMap<>();
        for (MdevInfo m : mdevs) {
            m.iommuGroup().ifPresent(g -> byGroup.put(g, m));
            m.cdev().ifPresent(c -> byCdev.put(c, m));
            byUuid.put(m.uuid(), m);
        }
        String groupPrefix = devRoot.resolve("vfio") + "/";
        String cdevPrefix = devRoot.resolve("vfio/devices") + "/";
        List<Held> out = new ArrayList<>();
        List<MdevInfo> groupsHeld = new ArrayList<>();
        List<Integer> anonymous = new ArrayList<>();
        Map<String, List<Integer>> matched = new HashMap<>();
        for (Map.Entry<Integer, String> e : links.entrySet()) {
            String link = e.getValue();
            if (link.startsWith(cdevPrefix)) {
                MdevInfo m = byCdev.get(link.substring(cdevPrefix.length()));
                if (m != null) {
                    out.add(new Held(m.uuid(), List.of(e.getKey()), "cdev " + link));
                }
            } else if (link.startsWith(groupPrefix) && DIGITS.matcher(link.substring(groupPrefix.length())).matches()) {
                MdevInfo m = byGroup.get(Integer.parseInt(link.substring(groupPrefix.length())));
                if (m != null && !groupsHeld.contains(m)) {
                    groupsHeld.add(m);
                }
            } else if (link.equals(ANON_DEVICE)) {
                Optional<String> uuid = syspathUuid(pid, e.getKey());
                if (uuid.isPresent() && byUuid.containsKey(uuid.get())) {
                    matched.computeIfAbsent(uuid.get(), k -> new ArrayList<>()).add(e.getKey());
                } else if (uuid.isEmpty()) {
                    anonymous.add(e.getKey());
                }
            }
        }
        for (MdevInfo m : groupsHeld) {
            List<Integer> fds = matched.get(m.uuid());
            if (fds != null) {
                out.add(new Held(m.uuid(), List.copyOf(fds), "fdinfo vfio-device-syspath"));
            } else if (anonymous.isEmpty()) {
                out.add(new Held(m.uuid(), List.of(), "group " + groupPrefix + m.iommuGroup().getAsInt()
                        + " without a device fd"));
            } else if (anonymous.size() == 1 && groupsHeld.stream().filter(g -> !matched.containsKey(g.uuid())).count() == 1) {
                out.add(new Held(m.uuid(), List.of(anonymous.get(0)), "the only mdev group and the only device fd"));
            } else {
                out.add(new Held(m.uuid(), List.copyOf(anonymous), "one of several device fds, told apart by a display probe"));
            }
        }
        out.sort((a, b) -> a.uuid().compareTo(b.uuid()));
        return out;
    }

    /** The PIDs of the processes that hold the mdev, found by its group or cdev in their fds. */
    public List<Integer> holders(MdevInfo mdev) throws DeviceException {
        return lookForHolders(mdev).pids();
    }

    /**
     * What a look for an mdev's holders found.
     *
     * @param pids the processes seen holding it
     * @param hidden how many processes' fds could not be read (another user's, without
     *     {@code CAP_SYS_PTRACE}): one of them may hold it unseen
     */
    public record Holders(List<Integer> pids, int hidden) {}

    /** The processes that hold the mdev, and how many could not be looked at. */
    public Holders lookForHolders(MdevInfo mdev) throws DeviceException {
        String group = mdev.iommuGroup().isPresent()
                ? devRoot.resolve("vfio").resolve(Integer.toString(mdev.iommuGroup().getAsInt())).toString() : null;
        String cdev = mdev.cdev().map(c -> devRoot.resolve("vfio/devices").resolve(c).toString()).orElse(null);
        List<Integer> pids = new ArrayList<>();
        int hidden = 0;
        for (int pid : pids()) {
            Map<Integer, String> links;
            try {
                links = fdLinks(pid);
            } catch (DeviceException e) {
                if (e.getMessage() != null && e.getMessage().contains("permission denied")) {
                    hidden++;
                }
                continue; // gone meanwhile, or not ours to look at
            }
            if ((group != null && links.containsValue(group)) || (cdev != null && links.containsValue(cdev))) {
                pids.add(pid);
            }
        }
        return new Holders(List.copyOf(pids), hidden);
    }

    /** Every numeric entry of {@code /proc}. */
    public List<Integer> pids() throws DeviceException {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(procRoot)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (DIGITS.matcher(n).matches() && n.length() < 10) {
                    pids.add(Integer.parseInt(n));
                }
            }
        } catch (IOException e) {
            throw new DeviceException("cannot list " + procRoot + ": " + e.getMessage());
        }
        pids.sort(null);
        return pids;
    }

    /** fd number to link text, for every fd of the process. */
    Map<Integer, String> fdLinks(int pid) throws DeviceException {
        Path dir = procRoot.resolve(Integer.toString(pid)).resolve("fd");
        Map<Integer, String> links = new HashMap<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (!DIGITS.matcher(n).matches()) {
                    continue;
                }
                try {
                    links.put(Integer.parseInt(n), Files.readSymbolicLink(p).toString());
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        } catch (NoSuchFileException e) {
            throw new CannotLook("no such process " + pid + " (" + dir + " does not exist)");
        } catch (AccessDeniedException e) {
            throw new CannotLook("cannot look at the fds of process " + pid + " (" + dir + ": permission denied; "
                    + "reading them needs the same uid, and Yama's ptrace_scope allowing it, or CAP_SYS_PTRACE)");
        } catch (IOException e) {
            throw new CannotLook("cannot read " + dir + ": " + e.getMessage());
        }
        return links;
    }

    /** The mdev UUID the fdinfo of a device fd names (Linux 6.18+), if it names one. */
    Optional<String> syspathUuid(int pid, int fd) {
        Path info = procRoot.resolve(Integer.toString(pid)).resolve("fdinfo").resolve(Integer.toString(fd));
        try {
            Matcher m = SYSPATH.matcher(Files.readString(info, StandardCharsets.UTF_8));
            if (m.find()) {
                String path = m.group(1);
                String last = path.substring(path.lastIndexOf('/') + 1);
                if (VfioOpener.UUID.matcher(last).matches()) {
                    return Optional.of(last.toLowerCase(Locale.ROOT));
                }
                return Optional.of(""); // a device, but not an mdev (a passed-through PCI function)
            }
        } catch (IOException | RuntimeException e) {
            // no fdinfo: treat the fd as unmatched
        }
        return Optional.empty();
    }

    /** What {@code scanout devices} and messages say about a process. */
    public record ProcessInfo(int pid, String command, Optional<String> libvirtDomain) {
        /** {@code 1234 (qemu-system-x86_64 -name guest=vm1,...)}, the command cut to 120 characters. */
        public String describe() {
            String c = command.length() > 120 ? command.substring(0, 117) + "..." : command;
            return pid + " (" + (c.isEmpty() ? "?" : c) + ")";
        }
    }

    private static final Pattern GUEST_NAME = Pattern.compile("(?:^|,)guest=((?:[^,]|,,)+)");

    /** The command line of a process and, for a libvirt QEMU, its domain (from {@code -name guest=...}). */
    public ProcessInfo info(int pid) {
        String cmd = "";
        try {
            byte[] raw = Files.readAllBytes(procRoot.resolve(Integer.toString(pid)).resolve("cmdline"));
            cmd = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            // gone, or hidden
        }
        return new ProcessInfo(pid, cmd, libvirtDomain(cmd));
    }

    /** The libvirt domain named on a QEMU command line ({@code -name guest=NAME,...}), if any. */
    static Optional<String> libvirtDomain(String cmd) {
        String[] words = cmd.split(" ");
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals("-name")) {
                Matcher m = GUEST_NAME.matcher(words[i + 1]);
                if (m.find()) {
                    return Optional.of(m.group(1).replace(",,", ","));
                }
            }
        }
        return Optional.empty();
    }
}
