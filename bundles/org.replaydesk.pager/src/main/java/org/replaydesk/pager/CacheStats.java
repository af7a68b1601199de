package org.replaydesk.pager;

/**
 * A {@link ChunkCache}'s counters since it was opened, and its current contents.
 *
 * @param hits reads that found a valid chunk
 * @param misses reads that found none (including corrupted ones)
 * @param corrupted chunks found not to match their hash and dropped
 * @param evictions chunks evicted to stay under the size limit
 * @param bytesStored bytes of chunks put into the cache
 * @param bytesEvicted bytes of chunks evicted
 * @param chunks chunks held now
 * @param bytes bytes held now
 * @param sizeLimit the most bytes held
 */
public record CacheStats(long hits, long misses, long corrupted, long evictions, long bytesStored, long bytesEvicted,
        long chunks, long bytes, long sizeLimit) {
}
