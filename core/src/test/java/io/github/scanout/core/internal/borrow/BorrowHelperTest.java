package io.github.scanout.core.internal.borrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.DeviceProvider;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Vfio;
import io.github.scanout.core.Devices;
import io.github.scanout.core.Pipeline;
import io.github.scanout.core.PipelineOptions;
import io.github.scanout.core.PipelineState;
import io.github.scanout.core.internal.nativeio.LibcKernel;
import io.github.scanout.core.internal.nativeio.UnixSockets;
import io.github.scanout.core.testing.Await;
import io.github.scanout.core.testing.RecordingSink;
import io.github.scanout.core.testing.SimRegionSource;
import io.github.scanout.api.kernel.ForwardingKernel;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDeviceProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The borrow helper end to end in one JVM, with real sockets and real fd passing: a child process
 * holds an fd (the VMM), the helper (serving a Unix socket) borrows it with pidfd_getfd and sends
 * it with a pidfd of the child over SCM_RIGHTS, and a client's {@code vm:PID?via=SOCKET} device
 * captures through it (the simulated mdpy stands behind the received fd, whose identity is
 * checked), then sees the VMM exit through the received pidfd.
 */
class BorrowHelperTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String UUID = "aaaaaaaa-0000-0000-0000-000000000001";

    @TempDir
    Path tmp;
    FakeHost host;
    Path heldFile;
    Path socket;
    final UnixSockets sockets = UnixSockets.real();
    final List<Child> children = new ArrayList<>();
    final SimDeviceProvider sims = new SimDeviceProvider();
    int listening = -1;
    Thread server;

    @BeforeEach
    void setUp() throws Exception {
        host = new FakeHost(tmp).mdev(UUID, 12, null);
        heldFile = Files.writeString(tmp.resolve("device-stand-in"), "x");
        socket = tmp.resolve("borrow.sock");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (listening >= 0) {
            sockets.shutdown(listening); // ends accept: serve() returns
            sockets.closeQuietly(listening);
        }
        for (Child c : children) {
            c.close();
        }
        if (server != null) {
            server.join(WAIT.toMillis());
        }
    }

    /** The helper's kernel: the received fd is a file, so the display probe is answered here. */
    static Kernel probeAnswering() {
        return new ForwardingKernel(LibcKernel.instance()) {
            @Override
            public int ioctl(int fd, long request, ByteBuffer arg) throws DeviceException {
                if (request == Vfio.DEVICE_QUERY_GFX_PLANE) {
                    return 0;
                }
                return super.ioctl(fd, request, arg);
            }
        };
    }

    void startHelper(Set<Integer> uids, Set<Integer> gids) throws Exception {
        Adopter keepTheFd = (k, fd, label) -> new OpenDevice(k, fd); // the helper sends the fd it borrowed
        Borrower b = new Borrower(LibcKernel::instance, () -> sockets, host.scan(), keepTheFd, host.proc, host.run);
        BorrowHelper helper = new BorrowHelper(b, sockets, probeAnswering(), uids, gids, host.proc);
        listening = sockets.listen(socket.toString());
        server = new Thread(() -> {
            try {
                helper.serve(listening);
            } catch (DeviceException e) {
                // the listening socket was closed
            }
        }, "test-borrow-helper");
        server.setDaemon(true);
        server.start();
    }

    Child vmm() throws Exception {
        Child c = Child.holding(heldFile);
        children.add(c);
        host.process(c.pid(), "qemu-system-x86_64 -name guest=vm1", Map.of(5, "/dev/vfio/vfio", 6, "/dev/vfio/12",
                Child.FD, ProcScan.ANON_DEVICE));
        return c;
    }

    /** A client whose adopter checks the received fd is the child's file and puts {@code sim} behind it. */
    Devices client(SimDevice sim, AtomicInteger adopted) throws IOException {
        Adopter adopter = (k, fd, label) -> {
            try {
                assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))).isEqualTo(heldFile);
            } catch (IOException e) {
                throw new DeviceException(e.toString());
            } finally {
                k.close(fd);
            }
            adopted.incrementAndGet();
            return sim.open(k);
        };
        // the client's /proc is empty: it needs no right over the VMM, the helper looked
        Borrower b = new Borrower(LibcKernel::instance, () -> sockets, new FakeHost.Empty(tmp).scan(), adopter, tmp, tmp);
        List<DeviceProvider> providers = new ArrayList<>(BorrowProviders.of(b));
        providers.add(sims);
        return new Devices(providers);
    }

    @Test
    void theHelperLendsTheVmmsDeviceAndTheClientCapturesAndSeesTheVmmExit() throws Exception {
        startHelper(Set.of(), Set.of());
        Child vmm = vmm();
        SimDevice sim = sims.device("sim:mdpy-xga");
        AtomicInteger adopted = new AtomicInteger();
        Devices devices = client(sim, adopted);
        devices.open("sim:mdpy-xga").close();
        String spec = "vm:" + vmm.pid() + "?via=" + socket;
        try (Pipeline p = Pipeline.builder(spec).open(devices, spec).sources(List.of(new SimRegionSource()))
                .options(PipelineOptions.defaults()).build()) {
            RecordingSink sink = RecordingSink.cpu();
            p.attach(sink, "s");
            sink.awaitFrames(3, WAIT);
            assertThat(adopted.get()).isEqualTo(1);
            vmm.kill();
            Await.until("gone", WAIT, p::state, s -> s == PipelineState.GONE);
            assertThat(p.stats().reason()).contains("the VMM (PID " + vmm.pid() + ") exited");
            Await.until("released", WAIT, sim::liveFds, n -> n == 0);
        }
    }

    @Test
    void refusalsComeBackAsOneLineNamingTheSpec() throws Exception {
        startHelper(Set.of(), Set.of());
        Devices devices = client(sims.device("sim:mdpy-vga"), new AtomicInteger());
        assertThatThrownBy(() -> devices.open("vm:" + UUID + "?via=" + socket)).isInstanceOf(DeviceException.class)
                .hasMessage("vm:" + UUID + "?via=" + socket + ": the borrow helper at " + socket + " refused vm:" + UUID
                        + ": no process holds mdev " + UUID + " (is its VM running? Scanout waits for a VMM to hold it"
                        + " and never opens it itself): EAGAIN")
                .satisfies(e -> assertThat(((DeviceException) e).isTransient()).isTrue());
        Path none = tmp.resolve("nobody.sock");
        assertThatThrownBy(() -> devices.open("vm:1?via=" + none)).hasMessage("vm:1?via=" + none + ": no borrow helper"
                + " listens at " + none + " (is scanout-borrow.socket running? systemctl status scanout-borrow.socket): EAGAIN");
    }

    @Test
    void theHelperAnswersARawBadRequestWithOneLine() throws Exception {
        startHelper(Set.of(), Set.of());
        int conn = sockets.connect(socket.toString());
        try {
            sockets.send(conn, "borrow vm:1;rm -rf /\n".getBytes(StandardCharsets.US_ASCII));
            UnixSockets.Received r = sockets.receive(conn, 1024);
            assertThat(new String(r.bytes(), StandardCharsets.US_ASCII)).isEqualTo("error bad request: 'vm:1;rm -rf /'"
                    + " is not vm:PID, vm:PID/UUID, vm:UUID, libvirt:DOMAIN or libvirt:DOMAIN/UUID\n");
            assertThat(r.fds()).isEmpty();
        } finally {
            sockets.closeQuietly(conn);
        }
    }

    @Test
    void onlyRootAllowedUidsAndMembersOfAllowedGroupsMayBorrow() throws Exception {
        Borrower b = new Borrower(LibcKernel::instance, () -> sockets, host.scan(), (k, fd, l) -> null, host.proc,
                host.run);
        BorrowHelper helper = new BorrowHelper(b, sockets, LibcKernel.instance(), Set.of(1500), Set.of(990), host.proc);
        Files.createDirectories(host.proc.resolve("700"));
        Files.writeString(host.proc.resolve("700/status"), "Name:\tscanout\nGroups:\t24 990 1000 \n");
        Files.createDirectories(host.proc.resolve("701"));
        Files.writeString(host.proc.resolve("701/status"), "Name:\tother\nGroups:\t24 1000\n");
        assertThat(helper.authorise(new UnixSockets.PeerCred(1, 0, 0))).isNull();
        assertThat(helper.authorise(new UnixSockets.PeerCred(2, 1500, 1500))).isNull();
        assertThat(helper.authorise(new UnixSockets.PeerCred(3, 1000, 990))).as("primary group").isNull();
        assertThat(helper.authorise(new UnixSockets.PeerCred(700, 1000, 1000))).as("supplementary group").isNull();
        assertThat(helper.authorise(new UnixSockets.PeerCred(701, 1000, 1000))).isEqualTo("not authorised: uid 1000 is"
                + " not root, not an allowed uid [1500], and not in an allowed group [990]");
    }

    @Test
    void socketActivationIsRecognisedOnlyForThisProcess() {
        assertThat(BorrowHelper.activated("42", "1", 42)).isEqualTo(3);
        assertThat(BorrowHelper.activated("43", "1", 42)).isEqualTo(-1);
        assertThat(BorrowHelper.activated("42", "0", 42)).isEqualTo(-1);
        assertThat(BorrowHelper.activated(null, null, 42)).isEqualTo(-1);
        assertThat(BorrowHelper.activated("x", "1", 42)).isEqualTo(-1);
    }
}
