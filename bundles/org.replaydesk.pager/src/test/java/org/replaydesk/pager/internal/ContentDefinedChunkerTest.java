package org.replaydesk.pager.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.pager.ChunkHash;

/**
 * The gear chunker: its cut points are persistent (stores keep chunks named by content), so golden tests pin them
 * exactly; plus the property that makes it worth having (an edit changes only the chunks around it) and its bounds.
 */
class ContentDefinedChunkerTest {

    static final ContentDefinedChunker DEFAULT = new ContentDefinedChunker(8192, 32768, 131072);

    /** @return the chunk lengths of the whole array, as a store import cuts them */
    static List<Integer> lengths(ContentDefinedChunker chunker, byte[] data) {
        List<Integer> out = new ArrayList<>();
        for (int at = 0; at < data.length; ) {
            int n = chunker.cut(data, at, data.length - at);
            out.add(n);
            at += n;
        }
        return out;
    }

    static List<ChunkHash> hashes(ContentDefinedChunker chunker, byte[] data) {
        List<ChunkHash> out = new ArrayList<>();
        int at = 0;
        for (int n : lengths(chunker, data)) {
            out.add(ChunkHash.of(data, at, n));
            at += n;
        }
        return out;
    }

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    @Test
    void theGearTableIsPinned() {
        long[] table = ContentDefinedChunker.gearTable(ContentDefinedChunker.SEED);
        assertEquals(GEAR_0, table[0]);
        assertEquals(GEAR_1, table[1]);
        assertEquals(GEAR_255, table[255]);
    }

    @Test
    void goldenCutsOfASeededPseudoRandomInput() {
        // java.util.Random's sequence is specified (an LCG), so this input is the same on every JVM.
        assertEquals(GOLDEN_RANDOM, lengths(DEFAULT, random(1 << 20, 42)));
    }

    @Test
    void goldenEdgeCases() {
        assertEquals(List.of(), lengths(DEFAULT, new byte[0]));
        // Shorter than min: one chunk, the whole input.
        assertEquals(List.of(5000), lengths(DEFAULT, random(5000, 1)));
        assertEquals(List.of(8192), lengths(DEFAULT, random(8192, 1)));
        // Exactly max bytes of pseudo-random data.
        assertEquals(GOLDEN_MAX, lengths(DEFAULT, random(131072, 7)));
        // Zeros never satisfy the mask (the hash of a constant run is constant, and non-zero in its top bits): cut
        // at max, so a zero region is a run of identical chunks, stored once.
        assertEquals(List.of(131072, 131072, 131072, 131072, 1000), lengths(DEFAULT, new byte[4 * 131072 + 1000]));
        assertEquals(List.of(131072), lengths(DEFAULT, new byte[131072]));
    }

    /** Pseudo-random data with zero runs of several lengths, like a snapshot's memory image. */
    static byte[] withZeroRuns() {
        byte[] data = random(1 << 21, 99);
        java.util.Arrays.fill(data, 100_000, 100_100, (byte) 0);   // shorter than the hash window
        java.util.Arrays.fill(data, 300_000, 340_000, (byte) 0);   // shorter than max
        java.util.Arrays.fill(data, 500_000, 1_200_000, (byte) 0); // several max-size chunks
        java.util.Arrays.fill(data, (1 << 21) - 70_000, 1 << 21, (byte) 0); // ends in zeros
        return data;
    }

    @Test
    void zeroRunsTakeTheShortcutWithTheDefaultTable() {
        // If a new gear table ever hashed a zero run into a cut, cut() would fall back to rolling the hash; this
        // pins that gear-v1 does not, so memory images keep chunking fast.
        assertEquals(true, DEFAULT.zeroRunsCutAtLimit());
    }

    @Test
    void goldenCutsAroundZeroRuns() {
        // Pinned before zero runs took a shortcut (ContentDefinedChunker.cut): the shortcut must not move a cut.
        assertEquals(GOLDEN_ZERO_RUNS, lengths(DEFAULT, withZeroRuns()));
    }

    @Test
    void everyChunkIsBetweenMinAndMaxExceptTheLast() {
        ContentDefinedChunker small = new ContentDefinedChunker(1024, 4096, 16384);
        byte[] data = random(4 << 20, 3);
        // Low-entropy stretches too: long runs and a short repeating pattern.
        java.util.Arrays.fill(data, 1 << 20, (1 << 20) + 300_000, (byte) 0x55);
        for (int i = 2 << 20; i < (2 << 20) + 200_000; i++) {
            data[i] = (byte) (i % 7);
        }
        for (ContentDefinedChunker chunker : List.of(DEFAULT, small)) {
            List<Integer> lengths = lengths(chunker, data);
            long sum = 0;
            for (int i = 0; i < lengths.size(); i++) {
                int n = lengths.get(i);
                sum += n;
                assertTrue(n <= chunker.maxSize(), chunker + ": chunk " + i + " has " + n + " bytes");
                if (i < lengths.size() - 1) {
                    assertTrue(n >= chunker.minSize(), chunker + ": chunk " + i + " has " + n + " bytes");
                }
            }
            assertEquals(data.length, sum);
            // Normalised chunking keeps the average near the target on random data (generous bounds).
            long randomChunks = lengths.stream().filter(n -> n < chunker.maxSize()).count();
            assertTrue(randomChunks > data.length / chunker.averageSize() / 3, chunker + ": " + lengths.size()
                    + " chunks");
        }
    }

    @Test
    void anInsertionOrDeletionChangesOnlyTheChunksAroundIt() {
        byte[] original = random(4 << 20, 99);
        List<ChunkHash> before = hashes(DEFAULT, original);
        int at = 2 << 20;

        byte[] inserted = new byte[original.length + 7];
        System.arraycopy(original, 0, inserted, 0, at);
        System.arraycopy("INSERT!".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, inserted, at, 7);
        System.arraycopy(original, at, inserted, at + 7, original.length - at);
        assertAtMostThreeNewChunks(before, hashes(DEFAULT, inserted));

        byte[] deleted = new byte[original.length - 5];
        System.arraycopy(original, 0, deleted, 0, at);
        System.arraycopy(original, at + 5, deleted, at, original.length - at - 5);
        assertAtMostThreeNewChunks(before, hashes(DEFAULT, deleted));

        // What fixed chunks would do: everything after the edit is new.
        int fixedNew = 0;
        for (int off = 0; off + 65536 <= inserted.length; off += 65536) {
            boolean found = false;
            ChunkHash h = ChunkHash.of(inserted, off, 65536);
            for (int o = 0; o + 65536 <= original.length; o += 65536) {
                found |= h.equals(ChunkHash.of(original, o, 65536));
            }
            fixedNew += found ? 0 : 1;
        }
        assertTrue(fixedNew >= 30, "fixed chunks after the insertion all change: " + fixedNew);
    }

    private static void assertAtMostThreeNewChunks(List<ChunkHash> before, List<ChunkHash> after) {
        Map<ChunkHash, Integer> known = new HashMap<>();
        before.forEach(h -> known.merge(h, 1, Integer::sum));
        int fresh = 0;
        for (ChunkHash h : after) {
            if (known.getOrDefault(h, 0) == 0) {
                fresh++;
            } else {
                known.merge(h, -1, Integer::sum);
            }
        }
        assertTrue(fresh >= 1 && fresh <= 3, fresh + " new chunks of " + after.size());
        assertTrue(Math.abs(before.size() - after.size()) <= 2, before.size() + " vs " + after.size() + " chunks");
    }

    @Test
    void badSizesNameTheSetting() {
        assertEquals("chunk.min.size 32 must be at least 64", assertThrows(ReplayDeskException.class,
                () -> new ContentDefinedChunker(32, 4096, 8192)).getMessage());
        assertEquals("chunk.average.size 30000 must be a power of two greater than chunk.min.size 8192",
                assertThrows(ReplayDeskException.class, () -> new ContentDefinedChunker(8192, 30000, 131072))
                        .getMessage());
        assertEquals("chunk.average.size 8192 must be a power of two greater than chunk.min.size 8192",
                assertThrows(ReplayDeskException.class, () -> new ContentDefinedChunker(8192, 8192, 131072))
                        .getMessage());
        assertEquals("chunk.max.size 32768 must be greater than chunk.average.size 32768 and at most 16777216",
                assertThrows(ReplayDeskException.class, () -> new ContentDefinedChunker(8192, 32768, 32768))
                        .getMessage());
        assertEquals("chunk.max.size 33554432 must be greater than chunk.average.size 32768 and at most 16777216",
                assertThrows(ReplayDeskException.class, () -> new ContentDefinedChunker(8192, 32768, 32 << 20))
                        .getMessage());
    }

    /** SplitMix64 from {@link ContentDefinedChunker#SEED}: entries 0, 1 and 255. */
    static final long GEAR_0 = 0xB52E0241AE5F4BCFL;
    static final long GEAR_1 = 0x2868C190CBDB4647L;
    static final long GEAR_255 = 0x88BEB19BEA74F016L;
    /** gear-v1 8K/32K/128K over 1 MiB of {@code new Random(42).nextBytes}. */
    static final List<Integer> GOLDEN_RANDOM = List.of(34429, 31939, 36463, 32846, 68930, 27494, 19613, 16968, 49272,
            25511, 39190, 37182, 45826, 8439, 22304, 60975, 33463, 33412, 74181, 46970, 35272, 29329, 47456, 35625,
            36165, 10578, 23483, 46080, 39181);
    /** gear-v1 8K/32K/128K over 128 KiB of {@code new Random(7).nextBytes}. */
    static final List<Integer> GOLDEN_MAX = List.of(41287, 36721, 51269, 1795);

    static final List<Integer> GOLDEN_ZERO_RUNS = List.of(
            61691, 36214, 50536, 32830, 93894, 17609, 52774, 48474, 10393, 13244,
            35098, 17623, 131072, 131072, 131072, 131072, 131072, 77848, 36529, 47685,
            25147, 34968, 49416, 48901, 68525, 46099, 12082, 31683, 22147, 10244,
            38636, 13564, 18712, 50275, 72892, 51848, 35211, 51842, 37258, 19207,
            70693);
}
