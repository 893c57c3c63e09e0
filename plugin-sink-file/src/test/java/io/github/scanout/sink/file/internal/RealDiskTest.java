package io.github.scanout.sink.file.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real file system's writes (heap buffers in parts) and free-space probe. */
class RealDiskTest {
    @TempDir
    Path dir;

    @Test
    void heapAndDirectBuffersOfAnySizeAreWrittenWhole() throws IOException {
        RealDisk disk = new RealDisk();
        Random r = new Random(8);
        int[] sizes = {0, 1, RealDisk.PART - 1, RealDisk.PART, RealDisk.PART + 1, 3 * RealDisk.PART + 17};
        for (int size : sizes) {
            byte[] data = new byte[size + 9];
            r.nextBytes(data);
            for (boolean direct : new boolean[] {false, true}) {
                ByteBuffer src = direct ? ByteBuffer.allocateDirect(data.length).put(data).flip()
                        : ByteBuffer.wrap(data);
                src.position(9); // a buffer that does not start at 0
                Path file = dir.resolve(size + (direct ? ".direct" : ".heap"));
                try (Disk.OutFile out = disk.create(file)) {
                    out.write(src);
                }
                assertThat(src.hasRemaining()).isFalse();
                assertThat(Files.readAllBytes(file)).as("%d bytes, direct %s", size, direct)
                        .isEqualTo(java.util.Arrays.copyOfRange(data, 9, data.length));
            }
        }
    }

    @Test
    void theSpaceIsThatOfTheDirectorysFileSystemAndAMissingDirectoryIsAnError() throws IOException {
        RealDisk disk = new RealDisk();
        Disk.Space space = disk.space(dir);
        assertThat(space.total()).isEqualTo(Files.getFileStore(dir).getTotalSpace()).isPositive();
        assertThat(space.usable()).isBetween(0L, space.total());
        assertThatThrownBy(() -> disk.space(dir.resolve("missing"))).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("missing");
    }
}
