package io.github.scanout.api.device;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A read-only mapping owned by its holder: region memory or a dma-buf. {@link #close()} unmaps;
 * views must not be used after that.
 */
@ProviderType
public interface MappedMemory extends AutoCloseable {

    /** {@return the bytes mapped} */
    long size();

    /**
     * A read-only little-endian view of {@code length} bytes from {@code offset}.
     *
     * @param offset the first byte, from the start of the mapping
     * @param length bytes in the view
     * @return the view, valid until {@link #close()}
     * @throws IndexOutOfBoundsException when the range is not inside the mapping
     * @throws IllegalStateException after close
     */
    ByteBuffer view(long offset, int length);

    /** Unmaps. Idempotent. */
    @Override
    void close();
}
