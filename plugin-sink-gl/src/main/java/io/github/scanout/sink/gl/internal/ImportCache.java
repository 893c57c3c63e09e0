package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.DmaBuf;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Imported textures by buffer identity, so a guest flipping between a few buffers is imported
 * once per buffer, not once per frame.
 *
 * <p>Identity is the {@link DmaBuf} object the pipeline hands out for a buffer (the same for
 * every lease on it) together with the plane's {@link PlaneInfo.BufferKey}: dmabuf ids alone are
 * reused by Intel GVT-g. Each entry holds its own lease on the buffer, so the fd and the memory
 * stay valid while the texture shows them. An entry goes when the buffer goes out of use: when
 * {@code capacity} newer buffers have been shown since (a guest double or triple buffers, QEMU
 * keeps 5), or when the sink loses the signal or is detached ({@link #clear()}).
 *
 * <p>Buffers that failed to import are remembered (bounded), so a failing buffer is not retried
 * every frame: no failure loop.
 *
 * <p>Threads: the GL thread.
 */
final class ImportCache implements AutoCloseable {

    private record Key(DmaBuf dmaBuf, PlaneInfo.BufferKey key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.dmaBuf == dmaBuf && k.key.equals(key);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(dmaBuf) * 31 + key.hashCode();
        }
    }

    private record Entry(PlaneBuffer lease, DmaBufImporter.Imported imported) {}

    private static final int FAILED_MEMORY = 16;

    private final DmaBufImporter importer;
    private final int capacity;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final ArrayDeque<Key> failed = new ArrayDeque<>();
    private long imports;
    private long hits;

    ImportCache(DmaBufImporter importer, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.importer = importer;
        this.capacity = capacity;
    }

    /**
     * The texture showing the buffer, importing it on first sight.
     *
     * @param buffer a lease that stays the caller's (the cache takes its own)
     * @throws ImportFailedException when the import fails now, or failed before for this buffer
     */
    DmaBufImporter.Imported get(PlaneBuffer buffer) throws ImportFailedException {
        DmaBuf dmaBuf = buffer.dmaBuf().orElseThrow(() -> new ImportFailedException("buffer " + buffer.info()
                + " has no dma-buf"));
        Key key = new Key(dmaBuf, buffer.info().key());
        Entry e = entries.get(key);
        if (e != null) {
            hits++;
            return e.imported();
        }
        if (failed.contains(key)) {
            throw new ImportFailedException("buffer " + buffer.info() + " failed to import before; not retried", true);
        }
        DmaBufImporter.Imported imported;
        try {
            imported = importer.importBuffer(buffer.info(), dmaBuf);
        } catch (ImportFailedException ex) {
            failed.addLast(key);
            if (failed.size() > FAILED_MEMORY) {
                failed.removeFirst();
            }
            throw ex;
        }
        imports++;
        entries.put(key, new Entry(buffer.retain(), imported));
        evict();
        return imported;
    }

    private void evict() {
        Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
        while (entries.size() > capacity && it.hasNext()) {
            Entry old = it.next().getValue();
            it.remove();
            release(old);
        }
    }

    private void release(Entry e) {
        try {
            importer.release(e.imported());
        } finally {
            e.lease().close();
        }
    }

    /** Drops every texture and lease (signal lost, detached, device reset). */
    void clear() {
        for (Entry e : entries.values()) {
            release(e);
        }
        entries.clear();
        failed.clear();
    }

    int size() {
        return entries.size();
    }

    /** Imports made (cache misses that succeeded). */
    long imports() {
        return imports;
    }

    long hits() {
        return hits;
    }

    @Override
    public void close() {
        clear();
    }
}
