package io.github.scanout.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code scanout snapshot --device SPEC [--timeout S] FILE.png}: what the device shows now,
 * still or not, like QEMU's {@code screendump}. Runs the device with one PNG file sink that
 * writes into a hidden directory next to FILE (so the last step is a rename on one file system),
 * stops after the first frame written, and moves it to FILE. The pipeline always captures the
 * first frame after it opens, so a still screen gives its picture too.
 *
 * <p>Exit status 0 only when FILE was written; 1 with one line saying why otherwise (nothing
 * written within {@code --timeout}, the device failed, FILE's directory is not writable).
 *
 * <p>Threads: the main thread.
 */
final class SnapshotCommand {
    private final CommandLine cl;
    private final Distribution dist;
    private final PrintStream out;
    private final PrintStream err;
    private final StopSignal stop;
    private final long startNanos;
    private final Map<String, String> env;

    SnapshotCommand(CommandLine cl, Distribution dist, PrintStream out, PrintStream err, StopSignal stop, long startNanos,
            Map<String, String> env) {
        this.env = env;
        this.cl = cl;
        this.dist = dist;
        this.out = out;
        this.err = err;
        this.stop = stop;
        this.startNanos = startNanos;
    }

    int run() throws InterruptedException {
        Path file = Path.of(cl.ops().file().orElseThrow()).toAbsolutePath().normalize();
        Path parent = file.getParent();
        Path work;
        try {
            work = Files.createTempDirectory(parent, ".scanout-snapshot-");
        } catch (IOException | RuntimeException e) {
            err.println("scanout: cannot write " + file + ": " + reason(e));
            return 1;
        }
        try {
            List<String> args = new ArrayList<>(List.of("run", "--device", cl.device().orElseThrow().name(),
                    "--sink", "file:" + work + "?format=png&sink.name=snapshot",
                    "--frames", "1", "--timeout", Double.toString(cl.ops().timeoutOrDefault().toNanos() / 1e9),
                    "--gl", cl.gl()));
            CommandLine run;
            try {
                run = CommandLine.parse(SinkType.installed(dist), args.toArray(String[]::new));
            } catch (UsageException e) {
                err.println("scanout: " + e.getMessage());
                return 2;
            }
            // the run's progress lines are not this command's: only warnings and errors show
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            int code = new RunCommand(run, dist, quiet, err, stop, startNanos, env).withoutControl().run();
            if (code != 0) {
                return code;
            }
            Path png = firstPng(work);
            if (png == null) {
                err.println("scanout: failed: no picture of " + cl.device().get().name() + " was written");
                return 1;
            }
            try {
                Files.move(png, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(png, file, StandardCopyOption.REPLACE_EXISTING);
            }
            out.println("scanout: wrote " + file + " (" + Files.size(file) + " bytes) of " + cl.device().get().name());
            return 0;
        } catch (IOException e) {
            err.println("scanout: cannot write " + file + ": " + reason(e));
            return 1;
        } finally {
            deleteTree(work);
        }
    }

    private static Path firstPng(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.png")) {
            for (Path p : ds) {
                return p;
            }
        }
        return null;
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such directory";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a hidden temporary directory
                }
            });
        } catch (IOException e) {
            // gone already
        }
    }
}
