package org.replaydesk.replay.internal.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.ChunkStore;
import org.replaydesk.pager.ImportProgress;
import org.replaydesk.pager.Manifest;
import org.replaydesk.pager.RemoteImage;
import org.replaydesk.pager.internal.ChunkServer;
import org.replaydesk.pager.internal.FileChunkCache;
import org.replaydesk.pager.internal.ContentDefinedChunker;
import org.replaydesk.pager.internal.FileChunkStore;
import org.replaydesk.pager.internal.NettyImagePager;
import org.replaydesk.recordlog.Heartbeat;

/**
 * The REAL rdfuse (native-hooks/target/fuse/rdfuse, or -Dreplaydesk.rdfuse) driven from Java: a log with a start
 * offset read back through the mount, END and ABORT; an image fed by ImageFeeder from a real pager (chunk server,
 * store and cache over loopback TCP); a chunk the pager cannot deliver; kill -9 of the helper; unmount at close.
 * A missing binary FAILS with what to build.
 */
class RdfuseRealHelperTest {

    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final int CHUNK = 1 << 20;          // 1 MiB: the kernel's 128 KiB readahead stays inside one chunk
    static final int CHUNKS = 12;

    @TempDir
    Path tmp;

    RdfuseProcess rd;
    String mountedAs;
    final ExecutorService readers = Executors.newCachedThreadPool(r -> RdfuseProcess.daemon(r, "test-reader"));

    static Path binary() {
        Path binary = Path.of(System.getProperty("replaydesk.rdfuse", "../../native-hooks/target/fuse/rdfuse"))
                .toAbsolutePath().normalize();
        if (!Files.isExecutable(binary)) {
            fail("the rdfuse helper " + binary + " is missing: build it with `make -C native-hooks fuse` "
                    + "(needs libfuse3-dev fuse3 pkg-config: scripts/packages.sh installs them), "
                    + "or point -Dreplaydesk.rdfuse at it");
        }
        if (!Files.exists(Path.of("/dev/fuse"))) {
            fail("/dev/fuse is missing: rdfuse needs the fuse kernel module (modprobe fuse)");
        }
        return binary;
    }

    @BeforeEach
    void setUp() throws IOException {
        rd = RdfuseProcess.start(binary(), tmp.resolve("mnt"), tmp.resolve("spool"), TIMEOUT);
        mountedAs = tmp.toRealPath().resolve("mnt").toString();
        assertTrue(MountTable.isMounted(mountedAs), "mounted after start");
    }

    @AfterEach
    void tearDown() {
        readers.shutdownNow();
        rd.close();
        assertFalse(MountTable.isMounted(mountedAs), "close() unmounts " + mountedAs);
    }

    /** A positional read through the mount on a thread of its own (it may block in rdfuse). */
    private CompletableFuture<byte[]> readAsync(Path file, long position, int size) {
        return CompletableFuture.supplyAsync(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer buffer = ByteBuffer.allocate(size);
                int n = ch.read(buffer, position);
                return n < 0 ? null : Arrays.copyOf(buffer.array(), n);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, readers);
    }

    private byte[] read(Path file, long position, int size) throws Exception {
        return readAsync(file, position, size).get(10, TimeUnit.SECONDS);
    }

    private static void assertBlocked(CompletableFuture<?> read) throws Exception {
        assertThrows(TimeoutException.class, () -> read.get(300, TimeUnit.MILLISECONDS), "the read blocks");
    }

    private static String ioError(CompletableFuture<?> read) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof java.io.UncheckedIOException, e.getCause().toString());
        return e.getCause().getCause().getMessage();
    }

    @Test
    void aMissingBinaryIsUnavailableAndSaysWhatToBuild() {
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> RdfuseProcess.start(
                tmp.resolve("no-such-rdfuse"), tmp.resolve("mnt2"), tmp.resolve("spool2"), TIMEOUT));
        assertEquals(Status.UNAVAILABLE, e.status());
        assertTrue(e.getMessage().startsWith("the rdfuse helper " + tmp.resolve("no-such-rdfuse")
                + " is missing or not executable: build it with `make -C native-hooks fuse`"), e.getMessage());
    }

    @Test
    void aLogWithAStartOffsetReadsBackThroughTheMount() throws Exception {
        long start = 3 * 1024 * 1024 + 17;
        Path file = rd.declareLog("record.log", start);
        assertEquals(tmp.resolve("mnt").resolve("record.log"), file);
        LogFeeder feeder = new LogFeeder(rd, "record.log");
        // Below START: the forced version header, then zeros.
        assertArrayEquals(new byte[] {0x00, (byte) 0xe0, 0x20, 0x0c, 0, 0, 0, 0}, read(file, 0, 8));
        assertArrayEquals(new byte[4096], read(file, start - 4096, 4096));
        // A read past what arrived blocks until DATA brings it.
        CompletableFuture<byte[]> blocked = readAsync(file, start + 10, 65536);
        assertBlocked(blocked);
        assertEquals(1, rd.statLog("record.log").blocked());
        byte[] first = new byte[5000];
        new Random(1).nextBytes(first);
        feeder.onData(start, first);
        assertArrayEquals(Arrays.copyOfRange(first, 10, 5000), blocked.get(5, TimeUnit.SECONDS));
        feeder.onHeartbeat(new Heartbeat(OptionalLong.of(42), start + 5000, Instant.EPOCH));
        byte[] second = new byte[3000];
        new Random(2).nextBytes(second);
        feeder.onData(start + 5000, second);
        LogStat stat = rd.statLog("record.log");
        assertEquals(start + 8000, stat.received());
        assertEquals(start, stat.start());
        assertEquals("live", stat.state());
        // END: a read at the end gets EOF, the size is the real one.
        CompletableFuture<byte[]> atEnd = readAsync(file, start + 8000, 4096);
        assertBlocked(atEnd);
        feeder.onEnd(start + 8000, new byte[] {0, (byte) 0xe0, 0x20, 0x0c});
        assertEquals(null, atEnd.get(5, TimeUnit.SECONDS), "EOF after END");
        assertEquals(start + 8000, Files.size(file));
        assertArrayEquals(second, read(file, start + 5000, 3000));
        assertEquals(Optional.empty(), feeder.failure());
        assertEquals(8000, feeder.bytesAppended());
        assertEquals(OptionalLong.of(42), feeder.lastHeartbeat().orElseThrow().icount());
        assertEquals("ended", rd.statLog("record.log").state());
    }

    @Test
    void aBrokenStreamAbortsTheLogAndReadersGetEio() throws Exception {
        Path file = rd.declareLog("ab.log", 0);
        LogFeeder feeder = new LogFeeder(rd, "ab.log");
        feeder.onData(0, new byte[100]);
        CompletableFuture<byte[]> blocked = readAsync(file, 100, 4096);
        assertBlocked(blocked);
        feeder.onError(new ReplayDeskException(Status.UNAVAILABLE, "record-log server 10.0.0.1:5690 unreachable"));
        assertEquals("Input/output error", ioError(blocked));
        assertEquals("Input/output error", ioError(readAsync(file, 0, 10)), "later reads fail too");
        assertEquals(Optional.of("record-log server 10.0.0.1:5690 unreachable"), feeder.failure());
        assertEquals("aborted", rd.statLog("ab.log").state());
        // A gap (the stream skipped bytes) is refused by rdfuse and aborts the log too.
        rd.declareLog("gap.log", 0);
        LogFeeder gap = new LogFeeder(rd, "gap.log");
        gap.onData(10, new byte[5]);
        assertEquals(Optional.of("appending 5 bytes at 10 to log gap.log failed: rdfuse refused \"DATA gap.log 10 5\": "
                + "ERR gap expected=0 got=10"), gap.failure());
        assertEquals("aborted", rd.statLog("gap.log").state());
    }

    /** A pager serving {@code image} over loopback TCP; {@code badChunk} (if >= 0) always arrives damaged. */
    private final class Pager implements AutoCloseable {
        final EventLoopGroup group = new NioEventLoopGroup(1);
        final ChunkServer server;
        final RemoteImage remote;
        final Manifest manifest;

        Pager(byte[] image, int badChunk) throws IOException {
            this(image, badChunk, null);
        }

        /** @param chunker content-defined chunks (format 2 manifest); null: fixed chunks of CHUNK */
        Pager(byte[] image, int badChunk, ContentDefinedChunker chunker) throws IOException {
            FileChunkStore store = new FileChunkStore(tmp.resolve("store"), CHUNK, chunker);
            Files.write(tmp.resolve("source.img"), image);
            manifest = store.importImage("vm1-s1", tmp.resolve("source.img"), ImportProgress.NONE);
            ChunkStore served = badChunk < 0 ? store : damaging(store, manifest.chunks().get(badChunk));
            server = new ChunkServer(served, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "", null,
                    group);
            FileChunkCache cache = new FileChunkCache(tmp.resolve("cache"), 1L << 30);
            // No pager read-ahead: every chunk fetched was asked for by rdfuse.
            remote = new NettyImagePager(cache, group, "", null, 0, TIMEOUT).open(server.address(), "vm1-s1");
        }

        @Override
        public void close() {
            remote.close();
            server.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static ChunkStore damaging(ChunkStore store, ChunkHash bad) {
        return new ChunkStore() {
            @Override
            public Manifest importImage(String imageId, Path image, ImportProgress progress) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean removeImage(String imageId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<Manifest> manifest(String imageId) {
                return store.manifest(imageId);
            }

            @Override
            public List<String> imageIds() {
                return store.imageIds();
            }

            @Override
            public Optional<byte[]> chunk(ChunkHash hash) {
                Optional<byte[]> data = store.chunk(hash);
                if (hash.equals(bad)) {
                    byte[] damaged = data.orElseThrow().clone();
                    damaged[0] ^= 1;
                    return Optional.of(damaged);
                }
                return data;
            }

            @Override
            public int chunkSize() {
                return store.chunkSize();
            }
        };
    }

    private static byte[] image() {
        byte[] image = new byte[CHUNKS * CHUNK - 12345];      // a short last chunk
        new Random(7).nextBytes(image);
        return image;
    }

    @Test
    void anImageFedFromARealPagerReadsByteIdenticalAndFetchesOnlyTouchedChunks() throws Exception {
        byte[] image = image();
        try (Pager pager = new Pager(image, -1);
                ImageFeeder feeder = new ImageFeeder(rd, "disk.qcow2", pager.remote, 2)) {
            Path file = tmp.resolve("mnt").resolve("disk.qcow2");
            assertEquals(image.length, Files.size(file));
            assertEquals(0, feeder.chunksServed(), "nothing fetched at declaration");
            // 100 bytes inside chunk 5: that chunk only (the kernel's readahead stays within it).
            long at = 5L * CHUNK + 1000;
            assertArrayEquals(Arrays.copyOfRange(image, (int) at, (int) at + 100), read(file, at, 100));
            // the reader is released when rdfuse has the chunk, which can be before the feeder counts it
            awaitCount(1, feeder::chunksServed);
            awaitCount(CHUNK, feeder::bytesServed);
            assertEquals(1, pager.remote.chunksFetched());
            ImageStat stat = rd.statImage("disk.qcow2");
            assertEquals(1, stat.present());
            assertEquals(CHUNKS, stat.chunks());
            // The whole file, byte-identical; every chunk sent once.
            assertArrayEquals(image, Files.readAllBytes(file));
            awaitCount(CHUNKS, feeder::chunksServed);
            awaitCount(image.length, feeder::bytesServed);
            assertEquals(CHUNKS, rd.statImage("disk.qcow2").present());
            assertEquals(CHUNKS, pager.server.chunksServed());
            // The spool holds the pristine chunks.
            assertArrayEquals(image, Files.readAllBytes(tmp.resolve("spool").resolve("disk.qcow2.img")));
        }
    }

    @Test
    void aContentDefinedImageIsServedInFixedBlocksAndReadsByteIdentical() throws Exception {
        byte[] image = image();
        try (Pager pager = new Pager(image, -1, new ContentDefinedChunker(8192, 32768, 131072));
                ImageFeeder feeder = new ImageFeeder(rd, "disk.qcow2", pager.remote, 2)) {
            assertEquals(Manifest.FORMAT_VARIABLE, pager.manifest.format());
            int chunks = pager.manifest.chunks().size();
            long blocks = (image.length + 65535) / 65536;
            Path file = tmp.resolve("mnt").resolve("disk.qcow2");
            assertEquals(image.length, Files.size(file));
            ImageStat declared = rd.statImage("disk.qcow2");
            assertEquals(65536, declared.chunkSize(), "rdfuse blocks are 64 KiB, not the pager's chunks");
            assertEquals(blocks, declared.chunks());
            // 100 bytes in the middle: a block or two (kernel readahead), a handful of pager chunks, not the image.
            long at = image.length / 2;
            assertArrayEquals(Arrays.copyOfRange(image, (int) at, (int) at + 100), read(file, at, 100));
            awaitCount(1, feeder::chunksServed);
            assertTrue(pager.remote.chunksFetched() >= 1 && pager.remote.chunksFetched() < chunks / 2,
                    pager.remote.chunksFetched() + " of " + chunks + " chunks fetched");
            // The whole file, byte-identical; every pager chunk fetched once although blocks straddle chunks.
            assertArrayEquals(image, Files.readAllBytes(file));
            awaitCount(blocks, feeder::chunksServed);
            assertEquals(chunks, pager.remote.chunksFetched());
            assertArrayEquals(image, Files.readAllBytes(tmp.resolve("spool").resolve("disk.qcow2.img")));
        }
    }

    @Test
    void aChunkThePagerCannotDeliverGivesTheReaderEio() throws Exception {
        byte[] image = image();
        try (Pager pager = new Pager(image, 3);
                ImageFeeder feeder = new ImageFeeder(rd, "disk.qcow2", pager.remote, 2)) {
            Path file = tmp.resolve("mnt").resolve("disk.qcow2");
            assertEquals("Input/output error", ioError(readAsync(file, 3L * CHUNK + 10, 100)));
            // The kernel retries a failed readahead with a read of its own: one or two NEEDs, each a CHUNKERR.
            assertTrue(feeder.chunkErrors() >= 1, "CHUNKERRs sent: " + feeder.chunkErrors());
            assertEquals(feeder.chunkErrors(), rd.statImage("disk.qcow2").chunkErrors());
            assertEquals(0, rd.statImage("disk.qcow2").blocked(), "nobody left waiting");
            // Other chunks are fine.
            assertArrayEquals(Arrays.copyOfRange(image, 4 * CHUNK, 4 * CHUNK + 100), read(file, 4L * CHUNK, 100));
        }
    }

    @Test
    void killingTheHelperFiresTheExitListenerAndCallsFailFast() throws Exception {
        AtomicReference<String> reason = new AtomicReference<>();
        CountDownLatch exited = new CountDownLatch(1);
        rd.setExitListener(r -> {
            reason.set(r);
            exited.countDown();
        });
        rd.declareLog("rec.log", 0);
        CompletableFuture<byte[]> blocked = readAsync(tmp.resolve("mnt").resolve("rec.log"), 4, 100);
        assertBlocked(blocked);
        ProcessHandle.of(rd.pid()).orElseThrow().destroyForcibly();   // SIGKILL
        assertTrue(exited.await(10, TimeUnit.SECONDS), "exit listener called");
        assertTrue(reason.get().contains("exited with status 137"), reason.get());
        assertFalse(rd.isAlive());
        long t0 = System.nanoTime();
        ReplayDeskException e = assertThrows(ReplayDeskException.class, rd::ping);
        // "fast" = without waiting for a command timeout (10 s); the bound leaves room for a loaded CI machine
        assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "fails fast");
        assertTrue(e.getMessage().startsWith("rdfuse command \"PING\" not sent: "), e.getMessage());
        // The kernel aborts the FUSE connection; which errno the parked read gets depends on timing.
        String error = ioError(blocked);
        assertTrue(List.of("Transport endpoint is not connected", "Software caused connection abort",
                "Input/output error").contains(error), error);
        assertTrue(MountTable.isMounted(mountedAs), "the dead mount stays until someone unmounts it");
        // tearDown: close() unmounts it
    }

    /** Waits up to 5 s for a counter that another thread bumps after the event the test saw. */
    private static void awaitCount(long expected, java.util.function.LongSupplier counter) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (counter.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, counter.getAsLong());
    }
}
