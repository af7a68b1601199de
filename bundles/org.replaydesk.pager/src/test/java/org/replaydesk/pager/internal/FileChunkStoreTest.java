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
}
