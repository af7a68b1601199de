package org.replaydesk.pager.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.pager.CacheStats;
import org.replaydesk.pager.ChunkHash;

/** The persistent cache: LRU eviction under the limit, persistence of contents and order, damaged files. */
class FileChunkCacheTest {

    @TempDir
    Path tmp;

    static byte[] chunk(int fill, int size) {
        byte[] b = new byte[size];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    @Test
    void leastRecentlyUsedChunksAreEvictedUnderTheLimit() {
        FileChunkCache cache = new FileChunkCache(tmp, 3000);
        byte[] a = chunk(1, 1000);
        byte[] b = chunk(2, 1000);
        byte[] c = chunk(3, 1000);
        byte[] d = chunk(4, 1000);
        cache.put(ChunkHash.of(a), a);
        cache.put(ChunkHash.of(b), b);
        cache.put(ChunkHash.of(c), c);
        // Using a makes b the eldest.
        assertArrayEquals(a, cache.get(ChunkHash.of(a)).orElseThrow());
        cache.put(ChunkHash.of(d), d);

        assertFalse(cache.contains(ChunkHash.of(b)));
        assertFalse(Files.exists(tmp.resolve(ChunkHash.of(b).hex())));
        assertTrue(cache.contains(ChunkHash.of(a)));
        assertTrue(cache.get(ChunkHash.of(b)).isEmpty());
        CacheStats s = cache.stats();
        assertEquals(1, s.hits());
        assertEquals(1, s.misses());
        assertEquals(1, s.evictions());
        assertEquals(1000, s.bytesEvicted());
        assertEquals(4000, s.bytesStored());
        assertEquals(3, s.chunks());
        assertEquals(3000, s.bytes());
    }

    @Test
    void contentsAndOrderSurviveAReopen() throws Exception {
        FileChunkCache cache = new FileChunkCache(tmp, 3000);
        byte[][] chunks = {chunk(1, 1000), chunk(2, 1000), chunk(3, 1000)};
        for (int i = 0; i < 3; i++) {
            cache.put(ChunkHash.of(chunks[i]), chunks[i]);
            // File times order the LRU after a restart; make them distinct whatever the file system's resolution.
            Files.setLastModifiedTime(tmp.resolve(ChunkHash.of(chunks[i]).hex()), FileTime.fromMillis(1_000_000L * (i
                    + 1)));
        }
        Files.writeString(tmp.resolve(".put-123.tmp"), "left by a crash");

        FileChunkCache reopened = new FileChunkCache(tmp, 2000);
        // The smaller limit evicts the eldest (the first put) on open.
        assertFalse(reopened.contains(ChunkHash.of(chunks[0])));
        assertArrayEquals(chunks[1], reopened.get(ChunkHash.of(chunks[1])).orElseThrow());
        assertArrayEquals(chunks[2], reopened.get(ChunkHash.of(chunks[2])).orElseThrow());
        assertFalse(Files.exists(tmp.resolve(".put-123.tmp")));
        assertEquals(2000, reopened.stats().bytes());
    }

    @Test
    void aDamagedChunkIsDroppedAndCountsAsAMiss() throws Exception {
        FileChunkCache cache = new FileChunkCache(tmp, 1 << 20);
        byte[] a = chunk(7, 5000);
        ChunkHash h = ChunkHash.of(a);
        cache.put(h, a);
        byte[] damaged = a.clone();
        damaged[4000] = 8;
        Files.write(tmp.resolve(h.hex()), damaged);

        assertTrue(cache.get(h).isEmpty());
        assertFalse(cache.contains(h));
        assertFalse(Files.exists(tmp.resolve(h.hex())));
        assertEquals(1, cache.stats().corrupted());
        assertEquals(1, cache.stats().misses());
        assertEquals(0, cache.stats().bytes());
    }

    @Test
    void aChunkLargerThanTheWholeCacheIsNotKept() {
        FileChunkCache cache = new FileChunkCache(tmp, 100);
        byte[] a = chunk(1, 200);
        cache.put(ChunkHash.of(a), a);
        assertFalse(cache.contains(ChunkHash.of(a)));
    }
}
