package org.replaydesk.pager.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.replaydesk.pager.Manifest;
import org.replaydesk.pager.RemoteImage;

/**
 * Every {@link PagerLoopbackTest} again on a store with content-defined chunks (format 2 manifests, chunks of
 * varying lengths), plus reads that cross variable chunk boundaries in every way.
 */
class PagerLoopbackContentChunksTest extends PagerLoopbackTest {

    @Override
    FileChunkStore newStore(Path dir) {
        return new FileChunkStore(dir, CHUNK, new ContentDefinedChunker(1024, 4096, 16384));
    }

    @Test
    void theStoreReallyCutsVariableChunks() {
        Manifest m = store.manifest("vm1-s1").orElseThrow();
        assertEquals(Manifest.FORMAT_VARIABLE, m.format());
        long differentLengths = java.util.stream.IntStream.range(0, m.chunks().size()).map(m::chunkLength)
                .distinct().count();
        assertTrue(differentLengths > 20, differentLengths + " different chunk lengths");
    }

    @Test
    void readsSpanningSeveralVariableChunksAndSingleBytesMatchTheFile() {
        InetSocketAddress address = serve(store, "");
        FileChunkCache cache = new FileChunkCache(tmp.resolve("cache"), 1 << 30);
        try (RemoteImage remote = new NettyImagePager(cache, group, "", null, 4, java.time.Duration.ofSeconds(10))
                .open(address, "vm1-s1")) {
            Manifest m = remote.manifest();
            // 64 KiB blocks, as rdfuse asks for them: each spans several chunks and starts inside one.
            for (long at = 0; at < SIZE; at += 65536) {
                int n = (int) Math.min(65536, SIZE - at);
                assertArrayEquals(java.util.Arrays.copyOfRange(image, (int) at, (int) at + n), remote.read(at, n),
                        "block at " + at);
            }
            // Around every boundary of the first 40 chunks: the last byte of one, the first of the next, both.
            for (int i = 1; i < 40; i++) {
                int boundary = (int) m.chunkOffset(i);
                assertEquals(image[boundary - 1], remote.read(boundary - 1, 1)[0], "byte before chunk " + i);
                assertEquals(image[boundary], remote.read(boundary, 1)[0], "first byte of chunk " + i);
                assertArrayEquals(java.util.Arrays.copyOfRange(image, boundary - 3, boundary + 3),
                        remote.read(boundary - 3, 6), "across boundary " + i);
            }
            // Byte by byte through the first 20 000 bytes.
            for (int at = 0; at < 20_000; at++) {
                assertEquals(image[at], remote.read(at, 1)[0], "byte " + at);
            }
            assertEquals(image[SIZE - 1], remote.read(SIZE - 1, 1)[0]);
        }
    }
}
