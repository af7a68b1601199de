package org.replaydesk.pager;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The client side's persistent chunk cache, keyed by hash and shared by every image and session on the host. It
 * holds at most {@link #sizeLimit()} bytes; when a new chunk would exceed that, the least recently used chunks are
 * evicted. Every chunk read from it is checked against its hash; a corrupted chunk is dropped and reported as absent,
 * so the caller fetches it again.
 */
@ProviderType
public interface ChunkCache {

    /**
     * @param hash a chunk's hash
     * @return its bytes (verified), or empty when the cache does not hold it or held a corrupted copy
     */
    Optional<byte[]> get(ChunkHash hash);

    /**
     * @param hash a chunk's hash
     * @return whether the cache holds it, without reading or verifying it and without counting a hit or miss
     */
    boolean contains(ChunkHash hash);

    /**
     * Stores a chunk. The caller has verified it against its hash.
     *
     * @param hash the chunk's hash
     * @param data its bytes
     */
    void put(ChunkHash hash, byte[] data);

    /** @return the most bytes of chunks kept */
    long sizeLimit();

    /** @return counters since the cache was opened, and its current size */
    CacheStats stats();
}
