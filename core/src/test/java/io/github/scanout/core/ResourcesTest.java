package io.github.scanout.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Modifier;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fd snapshots. Only fds of the temp dir are looked at: class loading may open jars meanwhile. */
class ResourcesTest {
    @TempDir
    Path dir;

    Map<Integer, String> ours(Map<Integer, String> fds) throws Exception {
        String root = dir.toRealPath().toString();
        return fds.entrySet().stream().filter(e -> e.getValue().startsWith(root + "/"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    @Test
    void aSnapshotNamesWhatEachFdPointsAtAndLeavesOutItsOwnListing() throws Exception {
        Path file = Files.createFile(dir.resolve("a"));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            assertThat(ch.isOpen()).isTrue();
            Map<Integer, String> fds = Resources.fdSnapshot();
            assertThat(ours(fds)).hasSize(1).containsValue(file.toRealPath().toString());
            assertThat(fds.values()).as("the listing's own fd").noneMatch(t -> t.matches("/proc/\\d+/fd"));
            assertThat(List.copyOf(fds.keySet())).isSorted();
            assertThatThrownBy(() -> fds.put(99_999, "x")).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void fdsOpenedSinceListsWhatIsStillOpen() throws Exception {
        Map<Integer, String> before = Resources.fdSnapshot();
        Path file = Files.createFile(dir.resolve("left-open"));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            assertThat(ch.isOpen()).isTrue();
            assertThat(ours(Resources.fdsOpenedSince(before))).hasSize(1).containsValue(file.toRealPath().toString());
        }
        assertThat(ours(Resources.fdsOpenedSince(before))).isEmpty();
    }

    @Test
    void fdsTheJvmOpensByItselfInProcAndCgroupsAreNotLeaks() throws Exception {
        Map<Integer, String> before = Resources.fdSnapshot();
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/status"), StandardOpenOption.READ)) {
            assertThat(ch.isOpen()).isTrue();
            assertThat(Resources.fdSnapshot()).containsValue("/proc/" + ProcessHandle.current().pid() + "/status");
            assertThat(Resources.fdsOpenedSince(before)).doesNotContainValue("/proc/" + ProcessHandle.current().pid()
                    + "/status");
        }
    }

    @Test
    void anFdThatWentAwayIsNotListedAndItsNumberReusedForAnotherFileIs() throws Exception {
        Path a = Files.createFile(dir.resolve("a"));
        Path b = Files.createFile(dir.resolve("b"));
        Map<Integer, String> before;
        try (FileChannel ch = FileChannel.open(a, StandardOpenOption.READ)) {
            assertThat(ch.isOpen()).isTrue();
            before = Resources.fdSnapshot();
        }
        try (FileChannel ch = FileChannel.open(b, StandardOpenOption.READ)) {
            assertThat(ch.isOpen()).isTrue();
            // b usually takes a's number (the lowest free one): listed all the same, by its target
            assertThat(ours(Resources.fdsOpenedSince(before)).values()).containsExactly(b.toRealPath().toString());
        }
        assertThat(ours(Resources.fdsOpenedSince(before))).isEmpty();
    }

    @Test
    void jarsTheJvmOpensOnAClassesFirstUseAreNotLeaks() throws Exception {
        Path jar = Files.createFile(dir.resolve("lib.jar"));
        Map<Integer, String> before = Resources.fdSnapshot();
        try (FileChannel ch = FileChannel.open(jar, StandardOpenOption.READ)) {
            assertThat(ours(Resources.fdSnapshot())).containsValue(jar.toRealPath().toString());
            assertThat(ours(Resources.fdsOpenedSince(before))).isEmpty();
        }
    }

    @Test
    void leaksSinceNamesEachKindHeldNowAndNotBefore() throws Exception {
        Resources.Usage before = Resources.usage();
        Path file = Files.createFile(dir.resolve("held"));
        PlaneBuffer lease = PlaneBuffer.create(new PlaneInfo(PlaneType.PRIMARY, BufferType.REGION, DrmFormat.XRGB8888,
                Modifier.LINEAR, 1, 1, 4, 4, 0, 0, java.util.Optional.empty(), 16), MemoryKind.SNAPSHOT, ByteBuffer.allocate(4), null, null);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            assertThat(ch.isOpen()).isTrue();
            String path = file.toRealPath().toString();
            List<String> leaks = Resources.leaksSince(before);
            assertThat(leaks).anyMatch(l -> l.startsWith("fds opened and not closed: ") && l.contains(path));
            assertThat(leaks).anyMatch(l -> l.startsWith("live leases: "));
        } finally {
            lease.close();
        }
        assertThat(Resources.leaksSince(before)).isEmpty();
        assertThat(before.fds()).isEqualTo(before.fds());
        assertThatThrownBy(() -> before.fds().put(99_999, "x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
