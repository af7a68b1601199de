package org.replaydesk.pager.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.ImportProgress;
import org.replaydesk.pager.Manifest;

/** Chunking an image into the store and reassembling it from the manifest. */
class FileChunkStoreTest {

    @TempDir
    Path tmp;

    static byte[] image(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        // Zero runs, as real disk images have, so some chunks repeat.
        java.util.Arrays.fill(data, size / 4, size / 2, (byte) 0);
        return data;
    }

    @Test
    void importedImageReassemblesExactlyAndRepeatsAreStoredOnce() throws Exception {
        byte[] data = image(100_000, 1);
        Path file = tmp.resolve("img");
        Files.write(file, data);
        FileChunkStore store = new FileChunkStore(tmp.resolve("store"), 4096);
        List<long[]> progress = new ArrayList<>();
        Manifest m = store.importImage("img-1", file, (read, total, stored) -> progress.add(new long[] {read, total,
                stored}));

        assertEquals(100_000, m.imageSize());
        assertEquals(25, m.chunks().size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ChunkHash h : m.chunks()) {
            out.write(store.chunk(h).orElseThrow());
        }
        assertArrayEquals(data, out.toByteArray());
        assertEquals(m, store.manifest("img-1").orElseThrow());
        assertEquals(List.of("img-1"), store.imageIds());

        long[] end = progress.get(progress.size() - 1);
        assertEquals(100_000, end[0]);
        assertEquals(100_000, end[1]);
        // The zero run covers whole chunks 7..11 that share one hash: stored once.
        long distinctBytes = m.distinctChunks().stream().mapToLong(h -> store.chunk(h).orElseThrow().length).sum();
        assertEquals(distinctBytes, end[2]);
        assertTrue(distinctBytes < 100_000);

        // A second image sharing most bytes costs only its new chunks.
        data[50_000] ^= 1;
        Files.write(file, data);
        List<Long> stored = new ArrayList<>();
        store.importImage("img-2", file, (read, total, s) -> stored.add(s));
        assertEquals(4096, stored.get(stored.size() - 1));
    }

    @Test
    void removingAnImageDeletesOnlyTheChunksNoOtherImageUses() throws Exception {
        byte[] data = image(40_960, 2);
        Path file = tmp.resolve("img");
        Files.write(file, data);
        FileChunkStore store = new FileChunkStore(tmp.resolve("store"), 4096);
        Manifest first = store.importImage("first", file, ImportProgress.NONE);
        data[0] ^= 1;
        Files.write(file, data);
        Manifest second = store.importImage("second", file, ImportProgress.NONE);
        ChunkHash onlyInFirst = first.chunks().get(0);
        ChunkHash shared = first.chunks().get(1);

        assertTrue(store.removeImage("first"));
        assertTrue(store.manifest("first").isEmpty());
        assertTrue(store.chunk(onlyInFirst).isEmpty());
        assertTrue(store.chunk(shared).isPresent());
        assertEquals(List.of("second"), store.imageIds());
        assertFalse(store.removeImage("first"));
        assertTrue(store.removeImage("second"));
        try (var left = Files.walk(tmp.resolve("store/chunks"))) {
            assertEquals(0, left.filter(Files::isRegularFile).count());
        }
        assertEquals(second.imageSize(), data.length);
    }

    @Test
    void missingImageAndUnknownIdsAreReported() {
        FileChunkStore store = new FileChunkStore(tmp.resolve("store"), 4096);
        ReplayDeskException e = assertThrows(ReplayDeskException.class,
                () -> store.importImage("x", tmp.resolve("nope"), (a, b, c) -> { }));
        assertEquals(Status.NOT_FOUND, e.status());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        assertTrue(store.manifest("other").isEmpty());
        assertTrue(store.chunk(ChunkHash.of(new byte[1])).isEmpty());
    }

    @Test
    void emptyImageHasNoChunks() throws Exception {
        Path file = Files.createFile(tmp.resolve("empty"));
        Manifest m = new FileChunkStore(tmp.resolve("store"), 4096).importImage("e", file, (a, b, c) -> { });
        assertEquals(0, m.chunks().size());
    }

    /** Small sizes so a few MB hold hundreds of chunks and the import buffer (2 * max) is refilled often. */
    static final ContentDefinedChunker SMALL = new ContentDefinedChunker(1024, 4096, 16384);

    @Test
    void contentDefinedImportStreamsToTheSameCutsAsTheWholeArrayAndReassembles() throws Exception {
        byte[] data = image(3_000_001, 4);
        Path file = tmp.resolve("img");
        Files.write(file, data);
        FileChunkStore store = new FileChunkStore(tmp.resolve("store"), 4096, SMALL);
        assertEquals(16384, store.chunkSize());
        List<long[]> progress = new ArrayList<>();
        Manifest m = store.importImage("cdc-1", file, (read, total, stored) -> progress.add(new long[] {read, total,
                stored}));

        assertEquals(Manifest.FORMAT_VARIABLE, m.format());
        assertEquals(ContentDefinedChunker.NAME, m.chunking());
        List<Integer> expected = ContentDefinedChunkerTest.lengths(SMALL, data);
        assertEquals(expected.size(), m.chunks().size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < m.chunks().size(); i++) {
            assertEquals(expected.get(i), m.chunkLength(i), "chunk " + i);
            byte[] chunk = store.chunk(m.chunks().get(i)).orElseThrow();
            // zero chunks take a shortcut to their hash; it must be the same hash
            assertEquals(org.replaydesk.pager.ChunkHash.of(chunk, 0, chunk.length), m.chunks().get(i), "hash of chunk " + i);
            out.write(chunk);
        }
        assertArrayEquals(data, out.toByteArray());
        assertEquals(m, store.manifest("cdc-1").orElseThrow());
        // Progress after every chunk, ending at the whole file; the zero run is stored once per distinct chunk.
        assertEquals(m.chunks().size() + 1, progress.size());
        long[] end = progress.get(progress.size() - 1);
        assertEquals(data.length, end[0]);
        assertEquals(data.length, end[1]);
        long distinctBytes = m.distinctChunks().stream().mapToLong(h -> store.chunk(h).orElseThrow().length).sum();
        assertEquals(distinctBytes, end[2]);
        assertTrue(distinctBytes < data.length - 500_000, "the zero run is stored once: " + distinctBytes);
    }

    @Test
    void aSecondSimilarImageStoresOnlyTheChunksAroundItsEdits() throws Exception {
        byte[] data = image(2_000_000, 5);
        Path file = tmp.resolve("img");
        Files.write(file, data);
        FileChunkStore store = new FileChunkStore(tmp.resolve("store"), 4096, SMALL);
        store.importImage("a", file, ImportProgress.NONE);

        // B: 4100 bytes inserted at 300 000 (a zero page becoming a page with its header, say) and 17 bytes deleted at
        // 1 500 000; fixed chunks would all change after the first edit.
        byte[] page = ContentDefinedChunkerTest.random(4100, 77);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(data, 0, 300_000);
        b.write(page);
        b.write(data, 300_000, 1_200_000);
        b.write(data, 1_500_017, data.length - 1_500_017);
        Files.write(file, b.toByteArray());
        List<Long> stored = new ArrayList<>();
        Manifest second = store.importImage("b", file, (read, total, s) -> stored.add(s));
        long newBytes = stored.get(stored.size() - 1);
        // The insertion plus at most a few chunks (max 16 KiB each) around each edit.
        assertTrue(newBytes >= 4100 && newBytes <= 4100 + 6 * 16384, "new bytes " + newBytes);

        FileChunkStore fixed = new FileChunkStore(tmp.resolve("fixed"), 4096);
        Files.write(file, data);
        fixed.importImage("a", file, ImportProgress.NONE);
        Files.write(file, b.toByteArray());
        List<Long> fixedStored = new ArrayList<>();
        fixed.importImage("b", file, (read, total, s) -> fixedStored.add(s));
        assertTrue(fixedStored.get(fixedStored.size() - 1) > 1_000_000, "fixed chunks all shift after the insertion");
        assertEquals(b.size(), second.imageSize());
    }

    @Test
    void aFormat1ManifestWrittenBeforeStillReadsInAContentDefinedStore() throws Exception {
        byte[] data = image(50_000, 6);
        Path file = tmp.resolve("img");
        Files.write(file, data);
        Manifest old = new FileChunkStore(tmp.resolve("store"), 4096).importImage("old", file, ImportProgress.NONE);
        FileChunkStore upgraded = new FileChunkStore(tmp.resolve("store"), 4096, SMALL);
        assertEquals(old, upgraded.manifest("old").orElseThrow());
        assertEquals(Manifest.FORMAT_FIXED, upgraded.manifest("old").orElseThrow().format());
        Manifest fresh = upgraded.importImage("new", file, ImportProgress.NONE);
        assertEquals(Manifest.FORMAT_VARIABLE, fresh.format());
        assertTrue(upgraded.removeImage("old"));
        for (ChunkHash h : fresh.chunks()) {
            assertTrue(upgraded.chunk(h).isPresent());
        }
    }
}
