package io.github.scanout.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes {@link StreamRotation}: the file names in a stream's directory are outside bytes (anyone
 * who can write there chooses them), and the stream's own name comes from configuration.
 *
 * <p>Input (Jazzer's {@link FuzzedDataProvider}): the stream's file name, a policy (negative
 * values too), a list of file names found in the directory, then a session of operations: start
 * the next file, confirm a deletion (or not), ask whether a frame is due.
 *
 * <p>Contract: a policy with a negative value is an {@link IllegalArgumentException}, any other
 * is accepted; {@link StreamRotation#number} and {@link StreamRotation#segment} agree (a segment's
 * name reads back as its number; a name that reads as number N is segment N's name); a new file
 * never has the name of a file found in the directory or handed out before, and its number is
 * above all of them; what {@link StreamRotation#opened} names for deletion are only this stream's
 * segments, in its directory, oldest first, never the file just opened, and after the deletions
 * at most {@code keep} segments are left; {@link StreamRotation#due} is never true for an empty
 * file and is true exactly when the frame would pass {@code maxBytes} or the file is
 * {@code maxNanos} old. Nothing else is thrown.
 */
class StreamRotationFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void rotate(FuzzedDataProvider in) {
        String name = in.consumeString(40);
        Path base;
        try {
            base = Path.of("/streams").resolve(name);
        } catch (InvalidPathException e) {
            return; // not a file name this platform can have
        }
        if (name.isEmpty() || name.contains("/") || base.getFileName() == null
                || !base.getParent().equals(Path.of("/streams"))) {
            return; // the sink's configuration names a file in a directory
        }
        long maxBytes = in.consumeBoolean() ? in.consumeLong() : in.consumeLong(0, 1L << 40);
        long maxNanos = in.consumeBoolean() ? in.consumeLong() : in.consumeLong(0, 1L << 50);
        int keep = in.consumeBoolean() ? in.consumeInt() : in.consumeInt(0, 8);
        if (maxBytes < 0 || maxNanos < 0 || keep < 0) {
            assertThatThrownBy(() -> new StreamRotation.Policy(maxBytes, maxNanos, keep))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be 0 or more");
            return;
        }
        StreamRotation r = new StreamRotation(base, new StreamRotation.Policy(maxBytes, maxNanos, keep));

        List<String> found = new ArrayList<>();
        int count = in.consumeInt(0, 12);
        for (int i = 0; i < count; i++) {
            found.add(in.consumeBoolean() ? numbered(name, in) : in.consumeString(30));
        }
        long highest = 0;
        for (String f : found) {
            long n = StreamRotation.number(base, f);
            assertThat(n).as("number of %s", f).isGreaterThanOrEqualTo(0);
            if (n > 0) {
                assertThat(StreamRotation.segment(base, n).getFileName().toString()).as("segment %d of %s", n, name)
                        .isEqualTo(f);
                highest = Math.max(highest, n);
            }
        }
        r.existing(found);

        Set<String> taken = new HashSet<>(found);
        Set<Path> live = new HashSet<>();
        for (String f : found) {
            if (StreamRotation.number(base, f) > 0) {
                live.add(base.resolveSibling(f));
            }
        }
        int ops = 0;
        while (in.remainingBytes() > 0 && ops++ < 64) {
            switch (in.consumeInt(0, 2)) {
                case 0 -> {
                    Path next = r.next();
                    String f = next.getFileName().toString();
                    long n = StreamRotation.number(base, f);
                    assertThat(next.getParent()).isEqualTo(base.getParent());
                    assertThat(n).as("the new file %s is a segment above %d", f, highest).isGreaterThan(highest);
                    assertThat(taken).as("a new file never reuses a name").doesNotContain(f);
                    highest = n;
                    taken.add(f);
                    live.add(next);
                    List<Path> delete = r.opened(next);
                    assertThat(delete).doesNotContain(next);
                    long last = 0;
                    for (Path p : delete) {
                        long k = StreamRotation.number(base, p.getFileName().toString());
                        assertThat(k).as("only this stream's segments are deleted: %s", p).isPositive();
                        assertThat(p.getParent()).isEqualTo(base.getParent());
                        assertThat(k).as("oldest first").isGreaterThan(last);
                        last = k;
                        if (in.consumeBoolean()) {
                            r.deleted(p);
                            live.remove(p);
                        }
                    }
                    if (keep > 0 && delete.stream().allMatch(p -> !live.contains(p))) {
                        assertThat(r.segments()).hasSizeLessThanOrEqualTo(keep);
                    }
                }
                case 1 -> {
                    long fileBytes = in.consumeLong(-1, 1L << 42);
                    long frameBytes = in.consumeLong(0, 1L << 40);
                    long opened = in.consumeLong(0, 1L << 60);
                    long now = opened + in.consumeLong(0, 1L << 60);
                    boolean due = r.due(fileBytes, frameBytes, opened, now);
                    boolean expected = fileBytes > 0 && (maxBytes > 0 && fileBytes + frameBytes > maxBytes
                            || maxNanos > 0 && now - opened >= maxNanos);
                    assertThat(due).as("due(%d, %d, %d, %d) with %d bytes, %d ns", fileBytes, frameBytes, opened, now,
                            maxBytes, maxNanos).isEqualTo(expected);
                }
                default -> {
                    String f = in.consumeBoolean() ? numbered(name, in) : in.consumeString(30);
                    long n = StreamRotation.number(base, f);
                    if (n > 0) {
                        assertThat(StreamRotation.segment(base, n).getFileName().toString()).isEqualTo(f);
                    }
                }
            }
        }
    }

    /** A name shaped like a segment of the stream: NAME-DIGITS.EXT with digits from the input. */
    private static String numbered(String name, FuzzedDataProvider in) {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        return stem + "-" + in.consumeString(20) + ext;
    }
}
