package org.replaydesk.replay.internal.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.Manifest;
import org.replaydesk.pager.RemoteImage;

/**
 * ImageFeeder's mapping of rdfuse blocks onto pager images: a fixed-chunk image keeps its chunk size as the block
 * size, a content-defined one (chunks of varying lengths) gets 64 KiB blocks read as byte ranges. The rdfuse end is
 * a {@link FakeRdfusePeer}.
 */
class ImageFeederTest {

    @TempDir
    Path tmp;

    FakeRdfusePeer fake;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeRdfusePeer(tmp, Duration.ofSeconds(5));
    }

    @AfterEach
    void tearDown() throws Exception {
        fake.close();
    }

    /** A RemoteImage over bytes in memory; it records the ranges read. */
    static final class BytesImage implements RemoteImage {
        final Manifest manifest;
        final byte[] data;
        final List<long[]> reads = java.util.Collections.synchronizedList(new ArrayList<>());

        BytesImage(Manifest manifest, byte[] data) {
            this.manifest = manifest;
            this.data = data;
        }

        @Override
        public Manifest manifest() {
            return manifest;
        }

        @Override
        public void read(long offset, byte[] buffer, int bufferOffset, int length) {
            if (offset < 0 || offset + length > data.length) {
                throw ReplayDeskException.invalid("read of " + length + " at " + offset + " is outside the image");
            }
            reads.add(new long[] {offset, length});
            System.arraycopy(data, (int) offset, buffer, bufferOffset, length);
        }

        @Override
        public long chunksFetched() {
            return 0;
        }

        @Override
        public long bytesFetched() {
            return 0;
        }

        @Override
        public long wireBytesFetched() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    /** A format 2 image of 150 000 bytes in chunks of 10 000, 50 000, 70 000, 20 000 bytes. */
    static BytesImage variable() {
        byte[] data = new byte[150_000];
        new Random(3).nextBytes(data);
        int[] lengths = {10_000, 50_000, 70_000, 20_000};
        List<ChunkHash> hashes = new ArrayList<>();
        int at = 0;
        for (int n : lengths) {
            hashes.add(ChunkHash.of(data, at, n));
            at += n;
        }
        return new BytesImage(new Manifest("vm1-rd-3", data.length, "gear-v1", hashes, lengths), data);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Answers the STAT and IMAGE the feeder's constructor sends; returns the IMAGE line it declared. */
    private String declare(CompletableFuture<ImageFeeder> feeder, String name) throws Exception {
        assertArrayEquals(ascii("STAT " + name + "\n"), fake.read(("STAT " + name + "\n").length()));
        fake.send("ERR no such file " + name + "\n");
        StringBuilder line = new StringBuilder();
        for (int b; (b = fake.read(1)[0]) != '\n'; ) {
            line.append((char) b);
        }
        fake.send("OK chunks=3\n");
        feeder.get(5, TimeUnit.SECONDS);
        return line.toString();
    }

    /** Sends NEED for one block and returns the bytes of the CHUNK the feeder answers with. */
    private byte[] need(String name, int index, int expectedLength) throws Exception {
        fake.send("NEED " + name + " " + index + "\n");
        String header = "CHUNK " + name + " " + index + " " + expectedLength + "\n";
        assertArrayEquals(ascii(header), fake.read(header.length()), "header of block " + index);
        byte[] bytes = fake.read(expectedLength);
        fake.send("OK " + index + "\n");
        return bytes;
    }

    @Test
    void contentDefinedImagesAreServedInFixed64KiBBlocksAcrossTheirChunks() throws Exception {
        BytesImage image = variable();
        assertEquals(65536, ImageFeeder.blockSize(image.manifest()));
        CompletableFuture<ImageFeeder> started = CompletableFuture.supplyAsync(
                () -> new ImageFeeder(fake.rdfuse, "disk.qcow2", image, 1));
        assertEquals("IMAGE disk.qcow2 150000 65536", declare(started, "disk.qcow2"));
        try (ImageFeeder feeder = started.get()) {
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            whole.write(need("disk.qcow2", 0, 65536));
            whole.write(need("disk.qcow2", 1, 65536));
            // The last block is short: 150 000 - 2 * 65 536.
            whole.write(need("disk.qcow2", 2, 18928));
            assertArrayEquals(image.data, whole.toByteArray());
            // Each block is one byte range, whatever chunks it spans (block 1 spans chunks 1 to 2).
            assertEquals(List.of(List.of(0L, 65536L), List.of(65536L, 65536L), List.of(131072L, 18928L)),
                    image.reads.stream().map(r -> List.of(r[0], r[1])).toList());
            assertEquals(3, feeder.chunksServed());

            fake.send("NEED disk.qcow2 3\n");
            String error = "CHUNKERR disk.qcow2 3 chunk 3 is outside image vm1-rd-3 (3 blocks of 65536 bytes)\n";
            assertArrayEquals(ascii(error), fake.read(error.length()));
            fake.send("OK\n");
        }
    }

    @Test
    void fixedChunkImagesKeepTheirChunkSizeAsBlockSize() throws Exception {
        byte[] data = new byte[10_000];
        new Random(4).nextBytes(data);
        List<ChunkHash> hashes = List.of(ChunkHash.of(data, 0, 4096), ChunkHash.of(data, 4096, 4096),
                ChunkHash.of(data, 8192, 1808));
        BytesImage image = new BytesImage(new Manifest("vm1-s1", data.length, 4096, hashes), data);
        assertEquals(4096, ImageFeeder.blockSize(image.manifest()));
        CompletableFuture<ImageFeeder> started = CompletableFuture.supplyAsync(
                () -> new ImageFeeder(fake.rdfuse, "disk.qcow2", image, 1));
        assertEquals("IMAGE disk.qcow2 10000 4096", declare(started, "disk.qcow2"));
        try (ImageFeeder feeder = started.get()) {
            assertArrayEquals(Arrays.copyOfRange(data, 8192, 10_000), need("disk.qcow2", 2, 1808));
        }
    }

    @Test
    void anImageDeclaredWithAnotherBlockSizeIsAConflict() throws Exception {
        BytesImage image = variable();
        CompletableFuture<ImageFeeder> started = CompletableFuture.supplyAsync(
                () -> new ImageFeeder(fake.rdfuse, "disk.qcow2", image, 1));
        assertArrayEquals(ascii("STAT disk.qcow2\n"), fake.read("STAT disk.qcow2\n".length()));
        // Declared earlier with the largest chunk length as chunk size: not what rdfuse must use.
        fake.send("OK size=150000 imagesize=150000 chunksize=70000 chunks=3 present=0 requested=0 needs=0 chunkerrs=0 "
                + "state=ok blocked=0 opens=0 reads=0 maxread=0 bytesread=0 writes=0 byteswritten=0 cowblocks=0\n");
        Exception e = assertThrows(Exception.class, () -> started.get(5, TimeUnit.SECONDS));
        assertEquals("rdfuse image disk.qcow2 is declared with size 150000 and chunk size 70000, but image vm1-rd-3 "
                + "needs 150000 and 65536", e.getCause().getMessage());
    }
}
