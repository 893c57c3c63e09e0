package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import io.github.scanout.core.MdevInfo;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code scanout devices} says about an mdev: which process holds it (PID, command line,
 * libvirt domain) and whether Scanout could borrow it, and why not. Everything comes from
 * {@code /proc}, {@code /run} and sysfs: no device is opened (an open of an mdev a VM is about to
 * take makes the VM's start fail with EBUSY), and no process is touched.
 *
 * <p>Whether Scanout may borrow is judged from credentials, the way the kernel judges
 * {@code pidfd_getfd} ({@code PTRACE_MODE_ATTACH_REALCREDS}): {@code CAP_SYS_PTRACE} in Scanout's
 * effective set allows it (unless Yama's {@code ptrace_scope} is 3); otherwise the VMM must run as Scanout's uid (real, effective and saved)
 * and Yama's {@code ptrace_scope} must be 0 (1 allows only the VMM's ancestors, 2 only
 * {@code CAP_SYS_PTRACE}, 3 nobody).
 *
 * <p>Threads: stateless apart from its roots; any thread.
 */
public final class HolderReport {

    private static final int CAP_SYS_PTRACE = 19;
    private static final Pattern UID = Pattern.compile("(?m)^Uid:\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*$");
    private static final Pattern CAP_EFF = Pattern.compile("(?m)^CapEff:\\s+([0-9a-fA-F]+)\\s*$");

    private final ProcScan scan;
    private final Path procRoot;
    private final Path runRoot;
    private final Path devRoot;

    /**
     * @param procRoot normally {@code /proc} ({@code self/status} is Scanout's own credentials)
     * @param runRoot normally {@code /run} (libvirt's pid files)
     * @param devRoot normally {@code /dev}
     */
    public HolderReport(ProcScan scan, Path procRoot, Path runRoot, Path devRoot) {
        this.scan = scan;
        this.procRoot = procRoot;
        this.runRoot = runRoot;
        this.devRoot = devRoot;
    }

    /** The lines {@code scanout devices} prints under the mdev (without indentation). */
    public List<String> describe(MdevInfo mdev) {
        List<String> out = new ArrayList<>();
        ProcScan.Holders h;
        try {
            h = scan.lookForHolders(mdev);
        } catch (DeviceException e) {
            out.add("cannot tell whether a process holds it: " + e.getMessage());
            return out;
        }
        if (h.pids().isEmpty()) {
            out.add("held by no process that Scanout can see" + (h.hidden() == 0 ? ""
                    : " (" + h.hidden() + " process" + (h.hidden() == 1 ? "" : "es") + " of other users could not be"
                    + " looked at: run as root to see a VMM of another user)"));
            out.add("no VM runs on it: scanout run --device vm:" + mdev.uuid() + " waits for one; a direct open ("
                    + "--device " + mdev.uuid() + ") " + directAccess(mdev)
                    + ", and makes a VM start fail with EBUSY while Scanout holds it");
            return out;
        }
        for (int pid : h.pids()) {
            ProcScan.ProcessInfo who = scan.info(pid);
            Optional<String> domain = who.libvirtDomain().or(() -> domainFromPidFile(pid));
            out.add("held by process " + who.describe() + domain.map(d -> ", libvirt domain '" + d + "'").orElse(""));
            String why = whyNot(pid);
            if (why == null) {
                out.add("Scanout can borrow it: --device vm:" + mdev.uuid()
                        + domain.map(d -> " or --device libvirt:" + d).orElse(""));
            } else {
                out.add("Scanout cannot borrow it: " + why);
            }
        }
        return out;
    }

    /** Whether the device node a direct open uses is readable and writable to Scanout (access(2), no open). */
    private String directAccess(MdevInfo mdev) {
        // the cdev when the kernel made its node (sysfs names vfioN from Linux 6.0 on, the node comes with 6.6's
        // VFIO_DEVICE_CDEV), else the group
        Path cdev = mdev.cdev().map(c -> devRoot.resolve("vfio/devices").resolve(c)).orElse(null);
        Path group = mdev.iommuGroup().isPresent()
                ? devRoot.resolve("vfio").resolve(Integer.toString(mdev.iommuGroup().getAsInt())) : null;
        Path node = cdev != null && (Files.exists(cdev) || group == null) ? cdev : group;
        if (node == null) {
            return "is not possible (no IOMMU group and no vfio cdev in sysfs)";
        }
        if (!Files.exists(node)) {
            return "is not possible (" + node + " does not exist)";
        }
        return Files.isReadable(node) && Files.isWritable(node) ? "is allowed (" + node + ")"
                : "is not allowed (" + node + " is not readable and writable to this user)";
    }

    /** The domain whose libvirt pid file names {@code pid}, if any. */
    Optional<String> domainFromPidFile(int pid) {
        Path dir = runRoot.resolve("libvirt/qemu");
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.pid")) {
            for (Path p : s) {
                try {
                    if (Files.readString(p, StandardCharsets.US_ASCII).trim().equals(Integer.toString(pid))) {
                        String n = p.getFileName().toString();
                        return Optional.of(n.substring(0, n.length() - ".pid".length()));
                    }
                } catch (IOException ignored) {
                    // unreadable: not this one
                }
            }
        } catch (IOException ignored) {
            // no libvirt here
        }
        return Optional.empty();
    }

    /** Why Scanout may not {@code pidfd_getfd} from {@code pid}, or null when it may. */
    String whyNot(int pid) {
        String self = status("self");
        String target = status(Integer.toString(pid));
        if (self == null) {
            return "cannot read " + procRoot.resolve("self/status");
        }
        String scope = yamaScope();
        if (scope.equals("3")) {
            return "Yama's kernel.yama.ptrace_scope is 3: no process may borrow from another (until reboot)";
        }
        if (hasCapSysPtrace(self)) {
            return null;
        }
        if (target == null) {
            return "cannot read " + procRoot.resolve(pid + "/status") + " (the process exited?)";
        }
        Matcher me = UID.matcher(self);
        Matcher them = UID.matcher(target);
        if (!me.find() || !them.find()) {
            return "cannot read the uids of Scanout and of process " + pid;
        }
        String myUid = me.group(1);
        for (int i = 1; i <= 3; i++) {
            if (!them.group(i).equals(myUid)) {
                return "the VMM runs as uid " + them.group(i) + " and Scanout as uid " + myUid + ": borrowing needs the"
                        + " same uid or CAP_SYS_PTRACE (or the scanout-borrow helper, see \"Running VMs\" in the"
                        + " operator guide)";
            }
        }
        return switch (scope) {
            case "1" -> "Yama's kernel.yama.ptrace_scope is 1: only the VMM's ancestors may borrow from it; set it to 0,"
                    + " give Scanout CAP_SYS_PTRACE, or use the scanout-borrow helper";
            case "2" -> "Yama's kernel.yama.ptrace_scope is 2: borrowing needs CAP_SYS_PTRACE (or the scanout-borrow"
                    + " helper)";
            default -> null;
        };
    }

    private String status(String pid) {
        try {
            return Files.readString(procRoot.resolve(pid).resolve("status"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean hasCapSysPtrace(String status) {
        Matcher m = CAP_EFF.matcher(status);
        return m.find() && new BigInteger(m.group(1), 16).testBit(CAP_SYS_PTRACE);
    }

    private String yamaScope() {
        try {
            return Files.readString(procRoot.resolve("sys/kernel/yama/ptrace_scope")).trim();
        } catch (IOException e) {
            return "0"; // no Yama: the uid rule alone
        }
    }
}
