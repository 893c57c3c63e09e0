package io.github.scanout.core.internal.borrow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** A fake {@code /sys} with mdevs and a fake {@code /proc} saying which process holds what. */
final class FakeHost {
    final Path sys;
    final Path proc;
    final Path run;

    FakeHost(Path root) throws IOException {
        sys = Files.createDirectories(root.resolve("sys"));
        proc = Files.createDirectories(root.resolve("proc"));
        run = Files.createDirectories(root.resolve("run"));
    }

    /** An mdev in IOMMU group {@code group}, with a vfio cdev when {@code cdev} is not null. */
    FakeHost mdev(String uuid, int group, String cdev) throws IOException {
        Path dir = Files.createDirectories(sys.resolve("devices/mdpy").resolve(uuid));
        Files.createSymbolicLink(dir.resolve("iommu_group"), Path.of("../../../kernel/iommu_groups/" + group));
        Files.createDirectories(sys.resolve("kernel/iommu_groups/" + group));
        if (cdev != null) {
            Files.createDirectories(dir.resolve("vfio-dev").resolve(cdev));
        }
        Path bus = Files.createDirectories(sys.resolve("bus/mdev/devices"));
        Files.createSymbolicLink(bus.resolve(uuid), bus.relativize(dir));
        return this;
    }

    /** Process {@code pid} with these fd links and command line. */
    FakeHost process(int pid, String cmdline, Map<Integer, String> fds) throws IOException {
        Path dir = proc.resolve(Integer.toString(pid));
        Files.createDirectories(dir.resolve("fd"));
        Files.createDirectories(dir.resolve("fdinfo"));
        Files.writeString(dir.resolve("cmdline"), cmdline.replace(' ', '\0') + "\0");
        for (Map.Entry<Integer, String> e : fds.entrySet()) {
            Files.createSymbolicLink(dir.resolve("fd/" + e.getKey()), Path.of(e.getValue()));
            Files.writeString(dir.resolve("fdinfo/" + e.getKey()), "pos:\t0\nflags:\t02000002\n");
        }
        return this;
    }

    /**
     * The {@code status} of process {@code pid} ({@code "self"} for Scanout): its uid (real,
     * effective, saved and fs alike) and effective capabilities (hex, as the kernel writes them).
     */
    FakeHost status(String pid, int uid, String capEff) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(pid));
        Files.writeString(dir.resolve("status"), "Name:\tx\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid
                + "\nCapEff:\t" + capEff + "\n");
        return this;
    }

    /** Yama's ptrace_scope. */
    FakeHost yama(int scope) throws IOException {
        Path dir = Files.createDirectories(proc.resolve("sys/kernel/yama"));
        Files.writeString(dir.resolve("ptrace_scope"), scope + "\n");
        return this;
    }

    FakeHost fdinfo(int pid, int fd, String text) throws IOException {
        Files.writeString(proc.resolve(pid + "/fdinfo/" + fd), text, StandardCharsets.UTF_8);
        return this;
    }

    FakeHost gone(int pid) throws IOException {
        try (Stream<Path> s = Files.walk(proc.resolve(Integer.toString(pid)))) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        return this;
    }

    FakeHost libvirtPid(String domain, int pid) throws IOException {
        Path dir = Files.createDirectories(run.resolve("libvirt/qemu"));
        Files.writeString(dir.resolve(domain + ".pid"), pid + "\n");
        return this;
    }

    /** libvirt's live status file of a running domain, {@code run/libvirt/qemu/DOMAIN.xml}. */
    FakeHost libvirtStatus(String domain, String xml) throws IOException {
        Path dir = Files.createDirectories(run.resolve("libvirt/qemu"));
        Files.writeString(dir.resolve(domain + ".xml"), xml);
        return this;
    }

    /** Lets every user read the trees (the refusal test runs a borrower as nobody). */
    void worldReadable(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x"
                            : "rw-r--r--"));
                }
            }
        }
    }

    ProcScan scan() {
        return new ProcScan(proc, sys, Path.of("/dev"));
    }

    /** A host without mdevs or processes. */
    static final class Empty {
        private final FakeHost host;

        Empty(Path root) throws IOException {
            host = new FakeHost(Files.createDirectories(root.resolve("empty-host")));
        }

        ProcScan scan() {
            return host.scan();
        }
    }
}
