package org.replaydesk.pager.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.ImportProgress;
import org.replaydesk.pager.Manifest;
import org.replaydesk.pager.RemoteImage;

/**
 * Protocol version 2 over real loopback TCP: compressed chunks cost fewer wire bytes and arrive identical, and
 * version 1 and 2 peers work together in both directions (old servers are {@link ChunkServer}s limited to version 1,
 * which behave as released; old clients offer version 1).
 */
class PagerCompressionLoopbackTest {

    static final int CHUNK = 4096;
    /** Chunks of {@link #image}: text-like ones that compress, then random ones that do not. */
    static final int COMPRESSIBLE = 60;
    static final int RANDOM = 20;
    /** Frame bytes around a CHUNK's data: type, length, hash. */
    static final int CHUNK_OVERHEAD = 5 + 32;

    @TempDir
    Path tmp;

    EventLoopGroup group;
    FileChunkStore store;
    byte[] image;
    ChunkServer server;

    @BeforeEach
    void setUp() throws Exception {
        group = new NioEventLoopGroup(2);
        store = new FileChunkStore(tmp.resolve("store"), CHUNK);
        image = image();
        Files.write(tmp.resolve("img"), image);
        store.importImage("vm1-s1", tmp.resolve("img"), ImportProgress.NONE);
        assertEquals(COMPRESSIBLE + RANDOM, store.manifest("vm1-s1").orElseThrow().distinctChunks().size());
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Distinct chunks: each compressible one has 512 random bytes (so none repeats) and then repeated text. */
    static byte[] image() {
        Random random = new Random(11);
        byte[] data = new byte[(COMPRESSIBLE + RANDOM) * CHUNK];
        for (int i = 0; i < COMPRESSIBLE; i++) {
            byte[] noise = new byte[512];
            random.nextBytes(noise);
            System.arraycopy(noise, 0, data, i * CHUNK, noise.length);
            byte[] text = ("chunk " + i + " of a desktop's RAM; ").repeat(200).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, data, i * CHUNK + 512, CHUNK - 512);
        }
        byte[] noise = new byte[RANDOM * CHUNK];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, data, COMPRESSIBLE * CHUNK, noise.length);
        return data;
    }

    private InetSocketAddress serve(int highestVersion, boolean compression, String token) {
        server = new ChunkServer(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token, null, group,
                Duration.ofSeconds(10), highestVersion, compression);
        return server.address();
    }

    private NettyImagePager pager(String token) {
        return new NettyImagePager(new FileChunkCache(tmp.resolve("cache-" + System.nanoTime()), 1 << 30), group,
                token, null, 8, Duration.ofSeconds(10));
    }

    private static byte[] readAll(RemoteImage remote) {
        byte[] out = new byte[(int) remote.manifest().imageSize()];
        for (int at = 0; at < out.length; at += 10_000) {
            remote.read(at, out, at, Math.min(10_000, out.length - at));
        }
        return out;
    }

    private List<ChunkHash> hashes() {
        return store.manifest("vm1-s1").orElseThrow().chunks();
    }

    @Test
    void compressibleChunksCostFewerWireBytesAndArriveIdentical() {
        InetSocketAddress address = serve(PagerMessage.VERSION, true, "");
        long compressedWire;
        try (RemoteImage remote = pager("").open(address, "vm1-s1")) {
            assertArrayEquals(image, readAll(remote));
            assertEquals(image.length, remote.bytesFetched());
            compressedWire = remote.wireBytesFetched();
        }
        assertEquals(COMPRESSIBLE, server.chunksCompressed(), "the random chunks went plain");
        assertEquals(image.length, server.bytesServed());
        assertEquals(compressedWire, server.wireBytesServed(), "client and server count the same wire bytes");
        server.close();

        // The same image from a server with compression off: every chunk plain, wire bytes = data + framing.
        address = serve(PagerMessage.VERSION, false, "");
        long plainWire;
        try (RemoteImage remote = pager("").open(address, "vm1-s1")) {
            assertArrayEquals(image, readAll(remote));
            plainWire = remote.wireBytesFetched();
        }
        assertEquals(0, server.chunksCompressed());
        assertEquals(image.length + (long) (COMPRESSIBLE + RANDOM) * CHUNK_OVERHEAD, plainWire);
        // 60 of 80 chunks shrink to well under a quarter, 20 stay: under half the bytes.
        assertTrue(compressedWire < plainWire / 2, compressedWire + " wire bytes compressed, " + plainWire + " plain");
        assertTrue(compressedWire > (long) RANDOM * CHUNK, "the random chunks still cost their size");
    }

    @Test
    void aNewClientFallsBackToVersion1WithAnOldServer() {
        InetSocketAddress address = serve(PagerMessage.VERSION_1, true, "");
        try (ChunkConnection connection = ChunkConnection.open(address, "", null, group, Duration.ofSeconds(10))) {
            assertEquals(1, connection.version());
        }
        try (RemoteImage remote = pager("").open(address, "vm1-s1")) {
            assertArrayEquals(image, readAll(remote));
            assertEquals(image.length + (long) (COMPRESSIBLE + RANDOM) * CHUNK_OVERHEAD, remote.wireBytesFetched());
        }
        assertEquals(0, server.chunksCompressed(), "a version 1 server sends plain chunks only");
    }

    @Test
    void anOldServersTokenRefusalSurvivesTheFallback() {
        InetSocketAddress address = serve(PagerMessage.VERSION_1, true, "right");
        ReplayDeskException e = assertThrows(ReplayDeskException.class,
                () -> ChunkConnection.open(address, "wrong", null, group, Duration.ofSeconds(10)));
        assertEquals("chunk server " + address + " refused the connection: wrong token", e.getMessage());
    }

    @Test
    void anOldServerRefusesVersion2AsReleased() throws Exception {
        // What a version 1 server says is what new clients recognise to fall back: the wording must not drift.
        InetSocketAddress address = serve(PagerMessage.VERSION_1, true, "");
        byte[] reply;
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(frame(new PagerMessage.Hello(2, "")));
            reply = s.getInputStream().readAllBytes();
        }
        io.netty.channel.embedded.EmbeddedChannel decoder = new io.netty.channel.embedded.EmbeddedChannel(
                PagerFrameDecoder.forClient());
        decoder.writeInbound(Unpooled.wrappedBuffer(reply));
        assertEquals(new PagerMessage.Refused("protocol version 2 is not supported; this server speaks version 1"),
                decoder.readInbound());
    }

    @Test
    void anOldClientGetsPlainChunksFromANewServer() {
        InetSocketAddress address = serve(PagerMessage.VERSION, true, "");
        List<ChunkHash> wanted = hashes().subList(0, 10);
        try (ChunkConnection old = new ChunkConnection(address, "", null, group, Duration.ofSeconds(10), 1)) {
            assertEquals(1, old.version());
            Map<ChunkHash, byte[]> got = old.get(List.copyOf(wanted));
            for (ChunkHash h : wanted) {
                assertArrayEquals(store.chunk(h).orElseThrow(), got.get(h));
            }
            assertEquals(10L * (CHUNK + CHUNK_OVERHEAD), old.chunkWireBytes());
        }
        assertEquals(0, server.chunksCompressed(), "compressible chunks, but the client speaks version 1");
        assertEquals(10, server.chunksServed());
    }

    @Test
    void aNewClientAndServerSpeakTheNewestVersionEvenWithCompressionOff() {
        InetSocketAddress address = serve(PagerMessage.VERSION, false, "");
        try (ChunkConnection connection = ChunkConnection.open(address, "", null, group, Duration.ofSeconds(10))) {
            assertEquals(PagerMessage.VERSION, connection.version());
            connection.get(List.copyOf(hashes().subList(0, 5)));
        }
        assertEquals(0, server.chunksCompressed());
    }

    @Test
    void unknownVersionsAreRefusedWithoutFallback() throws Exception {
        // The server never downgrades: it refuses, naming what it speaks (a newer client then offers that).
        InetSocketAddress address = serve(PagerMessage.VERSION, true, "");
        for (int version : new int[] {0, 5, 65535}) {
            byte[] reply;
            try (Socket s = new Socket(address.getAddress(), address.getPort())) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(frame(new PagerMessage.Hello(version, "")));
                reply = s.getInputStream().readAllBytes();
            }
            io.netty.channel.embedded.EmbeddedChannel decoder = new io.netty.channel.embedded.EmbeddedChannel(
                    PagerFrameDecoder.forClient());
            decoder.writeInbound(Unpooled.wrappedBuffer(reply));
            assertEquals(new PagerMessage.Refused("protocol version " + version + " is not supported; this server "
                    + "speaks versions 1 to 4"), decoder.readInbound());
        }
        // A version below 1 is no older server's: the client reports the refusal instead of retrying.
        ReplayDeskException e = assertThrows(ReplayDeskException.class,
                () -> new ChunkConnection(address, "", null, group, Duration.ofSeconds(10), 0));
        assertEquals(Status.UNAVAILABLE, e.status());
        assertEquals("chunk server " + address + " refused the connection: protocol version 0 is not supported; "
                + "this server speaks versions 1 to 4", e.getMessage());
    }

    @Test
    void aNewClientFallsBackToVersion2WithAVersion2ServerAndStillGetsCompressedChunks() {
        InetSocketAddress address = serve(PagerMessage.VERSION_2, true, "");
        try (ChunkConnection connection = ChunkConnection.open(address, "", null, group, Duration.ofSeconds(10))) {
            assertEquals(2, connection.version());
        }
        try (RemoteImage remote = pager("").open(address, "vm1-s1")) {
            assertArrayEquals(image, readAll(remote));
        }
        assertEquals(COMPRESSIBLE, server.chunksCompressed());
    }

    @Test
    void aVersion2ServerRefusesVersion3InTheWordingNewClientsFallBackOn() throws Exception {
        InetSocketAddress address = serve(PagerMessage.VERSION_2, true, "");
        byte[] reply;
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(frame(new PagerMessage.Hello(3, "")));
            reply = s.getInputStream().readAllBytes();
        }
        io.netty.channel.embedded.EmbeddedChannel decoder = new io.netty.channel.embedded.EmbeddedChannel(
                PagerFrameDecoder.forClient());
        decoder.writeInbound(Unpooled.wrappedBuffer(reply));
        assertEquals(new PagerMessage.Refused("protocol version 3 is not supported; this server speaks versions 1 to 2"),
                decoder.readInbound());
    }

    /** Imports {@link #image} again with content-defined chunks, into the same store folder the server reads. */
    private Manifest importContentDefined() {
        FileChunkStore cdc = new FileChunkStore(tmp.resolve("store"), CHUNK, new ContentDefinedChunker(1024, 4096,
                16384));
        return cdc.importImage("vm1-cdc", tmp.resolve("img"), ImportProgress.NONE);
    }

    @Test
    void variableChunksTravelCompressedToANewClientAndArriveIdentical() {
        Manifest m = importContentDefined();
        assertEquals(Manifest.FORMAT_VARIABLE, m.format());
        InetSocketAddress address = serve(PagerMessage.VERSION, true, "");
        try (RemoteImage remote = pager("").open(address, "vm1-cdc")) {
            assertEquals(m, remote.manifest());
            assertArrayEquals(image, readAll(remote));
            assertTrue(remote.wireBytesFetched() < image.length, "compressed: " + remote.wireBytesFetched());
        }
        assertTrue(server.chunksCompressed() > 0);
    }

    @Test
    void aVersion2ClientIsToldToUpgradeInsteadOfGettingAVariableChunkManifest() {
        importContentDefined();
        InetSocketAddress address = serve(PagerMessage.VERSION, true, "");
        for (int old : new int[] {1, 2}) {
            try (ChunkConnection connection = new ChunkConnection(address, "", null, group, Duration.ofSeconds(10),
                    old)) {
                ReplayDeskException e = assertThrows(ReplayDeskException.class,
                        () -> connection.manifest("vm1-cdc"));
                assertEquals("chunk server " + address + ": image vm1-cdc uses content-defined chunks; this client "
                        + "speaks pager protocol " + old + ", upgrade it (variable chunks need protocol 3)",
                        e.getMessage());
                // Fixed-chunk images still work on the same connection.
                assertEquals(hashes(), connection.manifest("vm1-s1").chunks());
            }
        }
        // What an old client sees on the wire: an ERROR frame with the new code, which it reports as a failure.
        try (ChunkConnection connection = new ChunkConnection(address, "", null, group, Duration.ofSeconds(10), 2)) {
            assertEquals(new PagerMessage.Error(PagerMessage.ErrorCode.CLIENT_TOO_OLD, "image vm1-cdc uses "
                    + "content-defined chunks; this client speaks pager protocol 2, upgrade it (variable chunks need "
                    + "protocol 3)"), connection.await(connection.sendForTest(new PagerMessage.ManifestRequest("vm1-cdc"))));
        }
    }

    @Test
    void aVariableChunkManifestOnAVersion2ConnectionIsRefusedByTheClient() throws Exception {
        String json = new Manifest("x", 3, "gear-v1", List.of(ChunkHash.of(new byte[3])), new int[] {3}).toJson();
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = scripted(fake, frame(new PagerMessage.Welcome(2, 256)),
                    frame(new PagerMessage.ManifestReply(json)));
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), fake.getLocalPort());
            try (ChunkConnection connection = new ChunkConnection(address, "", null, group, Duration.ofSeconds(10),
                    2)) {
                ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> connection.manifest("x"));
                assertEquals("chunk server " + address + " sent a format 2 manifest of x on a protocol version 2 "
                        + "connection", e.getMessage());
            }
            t.join(5000);
        }
    }

    /**
     * A scripted server on a plain socket: reads a frame, writes the next reply, for as many replies as given; then
     * waits for the client to hang up.
     */
    private static Thread scripted(ServerSocket socket, byte[]... replies) {
        Thread t = new Thread(() -> {
            try (Socket s = socket.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                for (byte[] reply : replies) {
                    in.readByte();
                    in.readNBytes(in.readInt());
                    s.getOutputStream().write(reply);
                    s.getOutputStream().flush();
                }
                in.read();
            } catch (IOException e) {
                // The client hung up: expected.
            }
        });
        t.start();
        return t;
    }

    private static byte[] frame(PagerMessage message) {
        ByteBuf out = Unpooled.buffer();
        PagerFrameEncoder.encode(message, out);
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    @Test
    void aWelcomeAboveTheOfferedVersionFailsTheConnection() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = scripted(fake, frame(new PagerMessage.Welcome(2, 256)));
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), fake.getLocalPort());
            ReplayDeskException e = assertThrows(ReplayDeskException.class,
                    () -> new ChunkConnection(address, "", null, group, Duration.ofSeconds(10), 1));
            assertEquals("chunk server " + address + " welcomed us with protocol version 2; we offered 1",
                    e.getMessage());
            t.join(5000);
        }
    }

    @Test
    void aCompressedChunkOnAVersion1ConnectionIsAProtocolError() throws Exception {
        byte[] data = "a".repeat(64).getBytes(StandardCharsets.US_ASCII);
        ChunkHash hash = ChunkHash.of(data);
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = scripted(fake, frame(new PagerMessage.Welcome(1, 256)),
                    frame(new PagerMessage.CompressedChunk(hash, data, PagerCodecTest.A64_DEFLATED)));
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), fake.getLocalPort());
            try (ChunkConnection old = new ChunkConnection(address, "", null, group, Duration.ofSeconds(10), 1)) {
                ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> old.get(List.of(hash)));
                assertEquals("chunk server " + address + ": sent COMPRESSED-CHUNK on a protocol version 1 connection "
                        + "(while we waited for 1 chunks)", e.getMessage());
            }
            t.join(5000);
        }
    }

    @Test
    void aCorruptCompressedChunkFailsTheConnectionNamingTheProblem() throws Exception {
        byte[] data = "a".repeat(64).getBytes(StandardCharsets.US_ASCII);
        ChunkHash hash = ChunkHash.of(data);
        byte[] wrongLength = frame(new PagerMessage.CompressedChunk(hash, new byte[65], PagerCodecTest.A64_DEFLATED));
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = scripted(fake, frame(new PagerMessage.Welcome(2, 256)), wrongLength);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), fake.getLocalPort());
            try (ChunkConnection connection = ChunkConnection.open(address, "", null, group,
                    Duration.ofSeconds(10))) {
                ReplayDeskException e = assertThrows(ReplayDeskException.class,
                        () -> connection.get(List.of(hash)));
                assertEquals("chunk server " + address + ": protocol error: COMPRESSED-CHUNK " + hash + " inflates "
                        + "to 64 bytes, not the declared 65 (while we waited for 1 chunks)", e.getMessage());
            }
            t.join(5000);
        }
    }
}
