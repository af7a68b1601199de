package org.replaydesk.pager.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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

/**
 * Server and client over real loopback TCP: whole-image reads, the second open moving no chunks, batching and
 * read-ahead, damaged cache files, a server sending wrong bytes, tokens.
 */
class PagerLoopbackTest {

    static final int CHUNK = 4096;
    static final int SIZE = 300 * CHUNK + 123;

    @TempDir
    Path tmp;

    EventLoopGroup group;
    FileChunkStore store;
    byte[] image;
    ChunkServer server;

    @BeforeEach
    void setUp() throws Exception {
        group = new NioEventLoopGroup(2);
        store = newStore(tmp.resolve("store"));
        image = FileChunkStoreTest.image(SIZE, 9);
        Files.write(tmp.resolve("img"), image);
        store.importImage("vm1-s1", tmp.resolve("img"), ImportProgress.NONE);
    }

    /** @return the store under test: fixed chunks here, content-defined ones in {@link PagerLoopbackContentChunksTest} */
    FileChunkStore newStore(Path dir) {
        return new FileChunkStore(dir, CHUNK);
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    InetSocketAddress serve(ChunkStore served, String token) {
        server = new ChunkServer(served, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token, null,
                group);
        return server.address();
    }

    private NettyImagePager pager(FileChunkCache cache, String token, int readAhead) {
        return new NettyImagePager(cache, group, token, null, readAhead, Duration.ofSeconds(10));
    }

    private static byte[] readAll(RemoteImage remote, int step) {
        byte[] out = new byte[(int) remote.manifest().imageSize()];
        for (int at = 0; at < out.length; at += step) {
            remote.read(at, out, at, Math.min(step, out.length - at));
        }
        return out;
    }

    @Test
    void secondOpenOfTheSameImageMovesNoChunks() {
        InetSocketAddress address = serve(store, "");
        FileChunkCache cache = new FileChunkCache(tmp.resolve("cache"), 1 << 30);
        NettyImagePager pager = pager(cache, "", 8);
        int distinct = store.manifest("vm1-s1").orElseThrow().distinctChunks().size();
        try (RemoteImage first = pager.open(address, "vm1-s1")) {
            // Odd-sized reads straddle chunk boundaries.
            assertArrayEquals(image, readAll(first, 10_000));
            assertEquals(distinct, first.chunksFetched());
        }
        assertEquals(distinct, server.chunksServed());

        // A new process on the same cache folder: persistent, so still nothing to move.
        FileChunkCache reopened = new FileChunkCache(tmp.resolve("cache"), 1 << 30);
        try (RemoteImage second = pager(reopened, "", 8).open(address, "vm1-s1")) {
            assertArrayEquals(image, readAll(second, 65536));
            assertEquals(0, second.chunksFetched());
            assertEquals(0, second.bytesFetched());
        }
        assertEquals(distinct, server.chunksServed());
        assertEquals(0, reopened.stats().misses());
    }

    @Test
    void readAheadFetchesTheFollowingChunksWithoutBeingWaitedFor() throws Exception {
        InetSocketAddress address = serve(store, "");
        FileChunkCache cache = new FileChunkCache(tmp.resolve("cache"), 1 << 30);
        List<ChunkHash> chunks = store.manifest("vm1-s1").orElseThrow().chunks();
        try (RemoteImage remote = pager(cache, "", 16).open(address, "vm1-s1")) {
            assertArrayEquals(java.util.Arrays.copyOf(image, 100), remote.read(0, 100));
            // Chunk 0 on demand, then chunks 1-16 in the background. A chunk is counted when it arrives and cached
            // after its hash check, on another thread: wait for both (waiting for the count alone failed in CI).
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((remote.chunksFetched() < 17 || !chunks.subList(1, 17).stream().allMatch(cache::contains))
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(17, remote.chunksFetched());
            assertEquals(2, server.getsServed());
            for (int i = 1; i <= 16; i++) {
                assertTrue(cache.contains(chunks.get(i)), "chunk " + i + " was read ahead into the cache");
            }
            // Chunks 5-6 come from the cache; the read-ahead that follows asks for 17-22 only.
            assertArrayEquals(java.util.Arrays.copyOfRange(image, 5 * CHUNK, 7 * CHUNK),
                    remote.read(5 * CHUNK, 2 * CHUNK));
            // The last bytes of the image, in its short last chunk.
            assertArrayEquals(java.util.Arrays.copyOfRange(image, SIZE - 200, SIZE), remote.read(SIZE - 200, 200));
        }
    }

    @Test
    void sequentialReadsFindTheirChunksInFlightOrCachedAndFetchEachOnce() {
        InetSocketAddress address = serve(store, "");
        FileChunkCache cache = new FileChunkCache(tmp.resolve("cache"), 1 << 30);
        int distinct = store.manifest("vm1-s1").orElseThrow().distinctChunks().size();
        try (RemoteImage remote = pager(cache, "", 16).open(address, "vm1-s1")) {
            assertArrayEquals(image, readAll(remote, 1000));
            assertEquals(distinct, remote.chunksFetched());
        }
        assertEquals(distinct, server.chunksServed());
        // 301 chunks, refilled every half window of 8: about 38 GETs, not one per read (1205 reads).
        assertTrue(server.getsServed() <= 301 / 8 + 2, "one request per half read-ahead window, not per read: "
                + server.getsServed());
    }

    @Test
    void aWholeImageReadUsesBatchesNoLargerThanTheServerAllows() throws Exception {
        byte[] big = new byte[800 * CHUNK];
        new java.util.Random(5).nextBytes(big);
        Files.write(tmp.resolve("big"), big);
        store.importImage("big", tmp.resolve("big"), ImportProgress.NONE);
        InetSocketAddress address = serve(store, "");
        FileChunkCache cache = new FileChunkCache(tmp.resolve("cache"), 1 << 30);
        int chunks = store.manifest("big").orElseThrow().chunks().size();
        assertTrue(chunks > 2 * ChunkServer.MAX_BATCH, chunks + " chunks");
        try (RemoteImage remote = pager(cache, "", 0).open(address, "big")) {
            assertArrayEquals(big, remote.read(0, big.length));
            assertEquals(chunks, remote.chunksFetched());
        }
        // Fixed: 800 chunks in batches of at most 256: 256 + 256 + 256 + 32 (content-defined: about 650).
        assertEquals((chunks + ChunkServer.MAX_BATCH - 1) / ChunkServer.MAX_BATCH, server.getsServed());
        assertEquals(ChunkServer.MAX_BATCH, server.largestGet());
    }

    @Test
    void aCacheSmallerThanTheImageStillReadsCorrectlyAndEvicts() {
        InetSocketAddress address = serve(store, "");
        FileChunkCache cache = new FileChunkCache(tmp.resolve("cache"), 20 * CHUNK);
        try (RemoteImage remote = pager(cache, "", 4).open(address, "vm1-s1")) {
            assertArrayEquals(image, readAll(remote, 3 * CHUNK));
        }
        assertTrue(cache.stats().evictions() > 0);
        assertTrue(cache.stats().bytes() <= 20 * CHUNK);
    }

    @Test
    void aDamagedCachedChunkIsDetectedAndFetchedAgain() throws Exception {
        InetSocketAddress address = serve(store, "");
        FileChunkCache cache = new FileChunkCache(tmp.resolve("cache"), 1 << 30);
        NettyImagePager pager = pager(cache, "", 0);
        try (RemoteImage remote = pager.open(address, "vm1-s1")) {
            readAll(remote, SIZE);
        }
        ChunkHash victim = store.manifest("vm1-s1").orElseThrow().chunks().get(3);
        Path file = tmp.resolve("cache").resolve(victim.hex());
        byte[] bytes = Files.readAllBytes(file);
        bytes[17] ^= 0x40;
        Files.write(file, bytes);

        try (RemoteImage remote = pager.open(address, "vm1-s1")) {
            assertArrayEquals(image, readAll(remote, SIZE));
            assertEquals(1, remote.chunksFetched());
        }
        assertEquals(1, cache.stats().corrupted());
        assertArrayEquals(store.chunk(victim).orElseThrow(), Files.readAllBytes(file));
    }

    /** A store whose chunk bytes are damaged on the way out, {@code times} times per chunk. */
    private ChunkStore damaging(int times) {
        return new ChunkStore() {
            private final java.util.Map<ChunkHash, Integer> served = new java.util.concurrent.ConcurrentHashMap<>();

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
                if (served.merge(hash, 1, Integer::sum) <= times) {
                    byte[] bad = data.orElseThrow().clone();
                    bad[0] ^= 1;
                    return Optional.of(bad);
                }
                return data;
            }

            @Override
            public int chunkSize() {
                return CHUNK;
            }
        };
    }

    @Test
    void aChunkDamagedOnceIsFetchedAgainAndTheReadSucceeds() {
        InetSocketAddress address = serve(damaging(1), "");
        FileChunkCache cache = new FileChunkCache(tmp.resolve("cache"), 1 << 30);
        try (RemoteImage remote = pager(cache, "", 0).open(address, "vm1-s1")) {
            assertArrayEquals(java.util.Arrays.copyOf(image, CHUNK), remote.read(0, CHUNK));
            assertEquals(2, remote.chunksFetched());
        }
    }

    @Test
    void aServerSendingWrongBytesTwiceFailsTheReadNamingTheChunk() {
        InetSocketAddress address = serve(damaging(2), "");
        FileChunkCache cache = new FileChunkCache(tmp.resolve("cache"), 1 << 30);
        ChunkHash first = store.manifest("vm1-s1").orElseThrow().chunks().get(0);
        try (RemoteImage remote = pager(cache, "", 0).open(address, "vm1-s1")) {
            ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> remote.read(0, CHUNK));
            assertEquals("chunk " + first + " (chunk 0 of image vm1-s1) from chunk server " + address.getHostString()
                    + ":" + address.getPort() + " failed its SHA-256 check twice; the server's store or the network "
                    + "corrupts data", e.getMessage());
        }
        assertEquals(0, cache.stats().chunks(), "nothing unverified may enter the cache");
    }

    @Test
    void aWrongTokenIsRefusedWithTheReason() {
        InetSocketAddress address = serve(store, "right-token");
        FileChunkCache cache = new FileChunkCache(tmp.resolve("cache"), 1 << 30);
        ReplayDeskException wrong = assertThrows(ReplayDeskException.class,
                () -> pager(cache, "wrong-token", 0).open(address, "vm1-s1"));
        assertEquals(Status.UNAVAILABLE, wrong.status());
        assertEquals("chunk server " + address + " refused the connection: wrong token", wrong.getMessage());
        ReplayDeskException none = assertThrows(ReplayDeskException.class,
                () -> pager(cache, "", 0).open(address, "vm1-s1"));
        assertTrue(none.getMessage().endsWith("this server needs a token, and none was sent"), none.getMessage());
        try (RemoteImage ok = pager(cache, "right-token", 0).open(address, "vm1-s1")) {
            assertEquals(SIZE, ok.manifest().imageSize());
        }
    }

    @Test
    void anUnknownImageIsNotFound() {
        InetSocketAddress address = serve(store, "");
        ReplayDeskException e = assertThrows(ReplayDeskException.class,
                () -> pager(new FileChunkCache(tmp.resolve("cache"), 1 << 20), "", 0).open(address, "vm9-s1"));
        assertEquals(Status.NOT_FOUND, e.status());
        assertEquals("chunk server " + address + ": no image 'vm9-s1' in the chunk store", e.getMessage());
    }

    @Test
    void aStrayClientGetsAClearErrorAndIsDisconnected() throws Exception {
        InetSocketAddress address = serve(store, "");
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = in.readAllBytes();
            // ERROR frame, code 2 (BAD_REQUEST), then the server closed.
            assertEquals(0x86, reply[0] & 0xff);
            assertEquals(2, reply[6]);
            String message = new String(reply, 9, reply.length - 9, java.nio.charset.StandardCharsets.UTF_8);
            assertEquals("unknown client message type 0x47", message);
        }
    }

    @Test
    void aConnectionThatNeverSaysHelloIsClosed() throws Exception {
        server = new ChunkServer(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "", null, group,
                Duration.ofMillis(300));
        InetSocketAddress address = server.address();
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(5000);
            long t0 = System.nanoTime();
            assertEquals(-1, s.getInputStream().read(), "the server closes without a word");
            assertTrue(System.nanoTime() - t0 < 4_000_000_000L);
        }
    }

    @Test
    void aServerSpeakingAnotherProtocolGivesTheClientAClearError() throws Exception {
        try (java.net.ServerSocket fake = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = fake.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(
                            java.nio.charset.StandardCharsets.US_ASCII));
                    s.getInputStream().read();
                } catch (java.io.IOException e) {
                    // The client hung up: expected.
                }
            });
            t.start();
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), fake.getLocalPort());
            ReplayDeskException e = assertThrows(ReplayDeskException.class,
                    () -> pager(new FileChunkCache(tmp.resolve("cache"), 1 << 20), "", 0).open(address, "vm1-s1"));
            assertEquals("chunk server " + address + ": protocol error: unknown server message type 0x48 (while we "
                    + "waited for the answer to HELLO; is it a pager server, and does it expect TLS "
                    + "(client.tls.trust)?)", e.getMessage());
            t.join(5000);
        }
    }
}
