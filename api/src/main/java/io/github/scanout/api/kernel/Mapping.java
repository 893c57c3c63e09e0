package io.github.scanout.api.kernel;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Memory made by {@link Kernel#mmap}. Views are only valid until the mapping is unmapped; the
 * owner of the mapping must make sure no view is used after that.
 */
@ProviderType
public interface Mapping {

    /**
     * The address the kernel chose.
     *
     * @return the address, for identification and logs only
     */
    long address();

    /**
     * The size of the mapping.
     *
     * @return bytes mapped
     */
    long length();

    /**
     * A little-endian view of {@code length} bytes from {@code offset}, sharing the mapped
     * memory. Writable only if the mapping was made with PROT_WRITE.
     *
     * @param offset the first byte of the view, from the start of the mapping
     * @param length bytes in the view
     * @return the view
     * @throws IndexOutOfBoundsException when the range does not lie inside the mapping
     */
    ByteBuffer view(long offset, int length);
}
