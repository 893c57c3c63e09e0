package io.github.scanout.core.internal.borrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pidfd_open, pidfd_getfd and poll on a pidfd against a real child process. */
class PidfdRealTest {

    final LibcKernel libc = LibcKernel.instance();

    @TempDir
    Path tmp;

    @Test
    void borrowsAChildsFdAndSeesItExit() throws Exception {
        Path file = Files.writeString(tmp.resolve("held"), "the child's file");
        try (Child child = Child.holding(file)) {
            int pidfd = libc.pidfdOpen(child.pid());
            try {
                assertThat(libc.pollIn(pidfd, 0)).as("alive").isFalse();
                int fd = libc.pidfdGetfd(pidfd, Child.FD);
                try {
                    assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))).isEqualTo(file);
                    ByteBuffer b = ByteBuffer.allocate(64);
                    int n = libc.pread(fd, b, 0);
                    assertThat(new String(b.array(), 0, n, StandardCharsets.UTF_8)).isEqualTo("the child's file");
                    assertThat(libc.fcntl(fd, 1 /* F_GETFD */, 0) & 1).as("FD_CLOEXEC").isEqualTo(1);
                } finally {
                    libc.close(fd);
                }
                assertThatThrownBy(() -> libc.pidfdGetfd(pidfd, 99)).isInstanceOf(DeviceException.class)
                        .satisfies(e -> assertThat(((DeviceException) e).is(Errno.EBADF)).isTrue());
                child.kill();
                assertThat(libc.pollIn(pidfd, 30_000)).as("readable once the child exited").isTrue();
                assertThatThrownBy(() -> libc.pidfdGetfd(pidfd, Child.FD))
                        .satisfies(e -> assertThat(((DeviceException) e).is(Errno.ESRCH)).isTrue());
            } finally {
                libc.close(pidfd);
            }
        }
    }

    @Test
    void anExitedProcessIsNoSuchProcess() throws Exception {
        Process p = new ProcessBuilder("true").start();
        int pid = (int) p.pid();
        p.waitFor();
        p.getOutputStream().close();
        p.getInputStream().close();
        p.getErrorStream().close();
        assertThatThrownBy(() -> libc.pidfdOpen(pid)).isInstanceOf(DeviceException.class)
                .hasMessage("pidfd_open(" + pid + "): ESRCH");
    }
}
