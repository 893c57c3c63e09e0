package io.github.scanout.core.internal.borrow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child process playing a VMM: {@code /bin/sh} opens a file on fd {@value #FD} and execs
 * {@code sleep}, which keeps holding it (no FD_CLOEXEC). Optionally run under {@code setpriv}.
 */
final class Child implements AutoCloseable {
    static final int FD = 7;

    final Process process;
    final Path held;

    private Child(Process process, Path held) {
        this.process = process;
        this.held = held;
    }

    static Child holding(Path file, String... prefix) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(prefix));
        cmd.addAll(List.of("/bin/sh", "-c", "exec " + FD + "<\"$0\"; exec sleep 600", file.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Path fd = Path.of("/proc/" + p.pid() + "/fd/" + FD);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // wait until sleep runs and holds the file
        while (true) {
            try {
                if (Files.readSymbolicLink(fd).equals(file)
                        && Files.readString(Path.of("/proc/" + p.pid() + "/comm")).trim().equals("sleep")) {
                    break;
                }
            } catch (IOException e) {
                // not yet
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the child did not come up holding " + file + ": "
                        + new String(p.getInputStream().readAllBytes()));
            }
            Thread.sleep(10);
        }
        return new Child(p, file);
    }

    int pid() {
        return (int) process.pid();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        // close the pipes now, not at a later GC in another test class that counts fds
        try {
            process.getOutputStream().close();
            process.getInputStream().close();
            process.getErrorStream().close();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
