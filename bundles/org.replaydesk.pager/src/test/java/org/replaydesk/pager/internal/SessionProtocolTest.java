package org.replaydesk.pager.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.session.JoinSnapshot;
import org.replaydesk.api.session.ServedVmStatus;
import org.replaydesk.api.session.ServerSessionAgent;

/**
 * The session requests of protocol version 2 (and the VM counters version 4 adds to the status): bad input to their
 * decoders, the mapping of agent answers and failures to replies and back, and both ends over loopback TCP (with and
 * without an agent, version 1 and 3 connections, overlap).
 */
class SessionProtocolTest {

    @TempDir
    Path tmp;

    EventLoopGroup group;
    ChunkServer server;
    final List<PagerSessionAgent> clients = new ArrayList<>();

    @BeforeEach
    void setUp() {
        group = new NioEventLoopGroup(2);
    }

    @AfterEach
    void tearDown() {
        clients.forEach(PagerSessionAgent::close);
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static String rejection(boolean fromClient, byte[] wire) {
        EmbeddedChannel ch = new EmbeddedChannel(fromClient ? PagerFrameDecoder.forServer()
                : PagerFrameDecoder.forClient());
        PagerProtocolException e = assertThrows(PagerProtocolException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(wire)));
        assertNull(ch.readInbound());
        return e.getMessage();
    }

    // ---- bad input ----

    @Test
    void sessionRequestsAreClientOnlyAndRepliesServerOnly() {
        assertEquals("unknown server message type 0x04", rejection(false, bytes(0x04, 0, 0, 0, 2, 0, 0)));
        assertEquals("unknown client message type 0x89", rejection(true, bytes(0x89, 0, 0, 0, 0)));
    }

    @Test
    void sessionFramesAreBounded() {
        assertEquals("SESSION-SNAPSHOT frame declares 1027 payload bytes, at most 1026 allowed",
                rejection(true, bytes(0x04, 0, 0, 0x04, 0x03)));
        assertEquals("SESSION-SNAPSHOT-REPLY frame declares 2000000 payload bytes, at most 1034 allowed",
                rejection(false, bytes(0x88, 0, 0x1e, 0x84, 0x80)));
        // The version 4 form's limit: the old one (2074) plus the two counters.
        assertEquals("SESSION-STATUS-REPLY frame declares 2091 payload bytes, at most 2090 allowed",
                rejection(false, bytes(0x89, 0, 0, 0x08, 0x2b)));
    }

    @Test
    void truncatedSessionFramesAreNamed() {
        assertEquals("SESSION-STATUS vm is truncated: needs 3 more bytes, the frame has 1",
                rejection(true, bytes(0x05, 0, 0, 0, 3, 0, 3, 'f')));
        assertEquals("SESSION-SNAPSHOT-REPLY stall is truncated: needs 8 more bytes, the frame has 2",
                rejection(false, bytes(0x88, 0, 0, 0, 5, 0, 1, 't', 0, 0)));
        assertEquals("SESSION-STATUS-REPLY log size is truncated: needs 8 more bytes, the frame has 4",
                rejection(false, bytes(0x89, 0, 0, 0, 4, 0, 0, 0, 0)));
        assertEquals("SESSION-STATUS-REPLY interaction is truncated: needs 12 more bytes, the frame has 6",
                rejection(false, bytes(0x89, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0)));
        assertEquals("SESSION-SNAPSHOT frame has 1 bytes after its content",
                rejection(true, bytes(0x04, 0, 0, 0, 4, 0, 1, 'f', 'x')));
    }

    /** A SESSION-STATUS-REPLY of no display and nothing measured, with {@code extra} bytes after its interaction. */
    private static byte[] statusReplyWith(int extra) {
        byte[] fields = bytes(
                0, 0, 0, 0, 0, 0, 0, 0, // record log bytes 0
                0, 0,                   // display host ""
                0, 0,                   // display port 0
                0, 0,                   // display security ""
                0xbf, 0xf0, 0, 0, 0, 0, 0, 0, // damaged pixels/s -1.0
                0xff, 0xff, 0xff, 0xff); // input events -1
        byte[] wire = new byte[5 + fields.length + extra];
        wire[0] = (byte) 0x89;
        wire[4] = (byte) (fields.length + extra);
        System.arraycopy(fields, 0, wire, 5, fields.length);
        return wire;
    }

    @Test
    void aStatusReplyHasNoneOrBothVmCounters() {
        for (int extra : new int[] {1, 8, 15, 17, 24}) {
            assertEquals("SESSION-STATUS-REPLY has " + extra + " bytes after its interaction fields; 0 (versions 2 "
                    + "and 3) or 16 (version 4: VM CPU time and network bytes) allowed",
                    rejection(false, statusReplyWith(extra)));
        }
        for (int extra : new int[] {0, 16}) {
            EmbeddedChannel ch = new EmbeddedChannel(PagerFrameDecoder.forClient());
            ch.writeInbound(Unpooled.wrappedBuffer(statusReplyWith(extra)));
            PagerMessage.SessionStatusReply reply = ch.readInbound();
            assertEquals(extra == 16, reply.hasVmCounters());
            // Zero counters are counts (a VM that has used nothing yet), not unknown.
            assertEquals(extra == 16 ? 0 : -1, reply.vmCpuNanos());
        }
    }

    @Test
    void negativeNumbersAndBadTextAreNamed() {
        assertEquals("SESSION-SNAPSHOT-REPLY stall -1 us is negative",
                rejection(false, bytes(0x88, 0, 0, 0, 11, 0, 1, 't', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                        0xff)));
        assertEquals("SESSION-STATUS-REPLY log size -1 is negative",
                rejection(false, bytes(0x89, 0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)));
        assertEquals("SESSION-SNAPSHOT vm is not valid UTF-8", rejection(true, bytes(0x04, 0, 0, 0, 3, 0, 1, 0xc3)));
    }

    // ---- answers and failures ----

    /** An agent that answers from fields, or fails with {@code failure}. */
    static final class ScriptedAgent implements ServerSessionAgent {
        volatile RuntimeException failure;
        volatile CountDownLatch gate;
        final AtomicLong snapshots = new AtomicLong();

        @Override
        public JoinSnapshot takeJoinSnapshot(VmName vm) {
            if (failure != null) {
                throw failure;
            }
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new JoinSnapshot(SnapshotTag.of(vm.value() + "-j" + snapshots.incrementAndGet()),
                    Duration.ofMillis(420));
        }

        @Override
        public ServedVmStatus status(VmName vm) {
            if (failure != null) {
                throw failure;
            }
            return STATUS;
        }
    }

    /** What {@link ScriptedAgent} answers: the VM has used 2.5 s of CPU and moved 64 KiB. */
    static final ServedVmStatus STATUS = new ServedVmStatus(4096, "127.0.0.1", 5750, ServedVmStatus.SECURITY_VNCAUTH,
            -1, -1, 2_500_000_000L, 65_536);
    /** {@link #STATUS} as a client before version 4 gets it. */
    static final ServedVmStatus STATUS_WITHOUT_COUNTERS = new ServedVmStatus(4096, "127.0.0.1", 5750, "vncauth", -1,
            -1);

    @Test
    void answersCarryTheAgentsValues() {
        ScriptedAgent agent = new ScriptedAgent();
        assertEquals(new PagerMessage.SessionSnapshotReply("far-j1", 420_000),
                SessionRequests.answer(agent, new PagerMessage.SessionSnapshotRequest("far"), PagerMessage.VERSION));
        assertEquals(new PagerMessage.SessionStatusReply(4096, "127.0.0.1", 5750, "vncauth", -1, -1, 2_500_000_000L,
                65_536), SessionRequests.answer(agent, new PagerMessage.SessionStatusRequest("far"), 4));
    }

    @Test
    void aStatusTakesTheFormOfTheConnectionsVersion() {
        ScriptedAgent agent = new ScriptedAgent();
        for (int version : new int[] {2, 3}) {
            PagerMessage.SessionStatusReply reply = (PagerMessage.SessionStatusReply) SessionRequests.answer(agent,
                    new PagerMessage.SessionStatusRequest("far"), version);
            assertEquals(new PagerMessage.SessionStatusReply(4096, "127.0.0.1", 5750, "vncauth", -1, -1), reply);
            assertFalse(reply.hasVmCounters(), "version " + version);
            assertEquals(STATUS_WITHOUT_COUNTERS, SessionRequests.status(reply));
        }
        PagerMessage.SessionStatusReply reply = (PagerMessage.SessionStatusReply) SessionRequests.answer(agent,
                new PagerMessage.SessionStatusRequest("far"), PagerMessage.VERSION_VM_COUNTERS);
        assertTrue(reply.hasVmCounters());
        assertEquals(STATUS, SessionRequests.status(reply));
    }

    @Test
    void failuresBecomeErrorsWithTheirStatus() {
        ScriptedAgent agent = new ScriptedAgent();
        agent.failure = ReplayDeskException.notFound("no VM far");
        assertEquals(new PagerMessage.Error(PagerMessage.ErrorCode.NO_SUCH_VM, "no VM far"),
                SessionRequests.answer(agent, new PagerMessage.SessionStatusRequest("far"), PagerMessage.VERSION));
        agent.failure = ReplayDeskException.conflict("far does not record");
        assertEquals(PagerMessage.ErrorCode.SESSION_CONFLICT, ((PagerMessage.Error) SessionRequests.answer(agent,
                new PagerMessage.SessionSnapshotRequest("far"), PagerMessage.VERSION)).code());
        agent.failure = new IllegalStateException("boom");
        PagerMessage.Error e = (PagerMessage.Error) SessionRequests.answer(agent,
                new PagerMessage.SessionSnapshotRequest("far"), PagerMessage.VERSION);
        assertEquals(PagerMessage.ErrorCode.SERVER_FAILURE, e.code());
        assertTrue(e.message().contains("boom"), e.message());
        assertEquals(PagerMessage.ErrorCode.NO_SUCH_VM, ((PagerMessage.Error) SessionRequests.answer(agent,
                new PagerMessage.SessionStatusRequest("bad name!"), PagerMessage.VERSION)).code());
        assertEquals(new PagerMessage.Error(PagerMessage.ErrorCode.SESSIONS_NOT_SERVED, SessionRequests.NOT_SERVED),
                SessionRequests.answer(null, new PagerMessage.SessionStatusRequest("far"), PagerMessage.VERSION));
    }

    @Test
    void errorsBecomeExceptionsWithTheirStatus() {
        assertEquals(Status.UNAVAILABLE, SessionRequests.failure("h:1", new PagerMessage.Error(
                PagerMessage.ErrorCode.SESSIONS_NOT_SERVED, "x")).status());
        assertEquals(Status.NOT_FOUND, SessionRequests.failure("h:1", new PagerMessage.Error(
                PagerMessage.ErrorCode.NO_SUCH_VM, "x")).status());
        assertEquals(Status.CONFLICT, SessionRequests.failure("h:1", new PagerMessage.Error(
                PagerMessage.ErrorCode.SESSION_CONFLICT, "x")).status());
        ReplayDeskException e = SessionRequests.failure("h:1", new PagerMessage.Error(
                PagerMessage.ErrorCode.SERVER_FAILURE, "disk full"));
        assertEquals(Status.FAILED, e.status());
        assertEquals("server h:1: disk full", e.getMessage());
    }

    // ---- over TCP ----

    private InetSocketAddress serve(String token, int highestVersion) {
        server = new ChunkServer(new FileChunkStore(tmp.resolve("store"), 4096),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token, null, group,
                Duration.ofSeconds(10), highestVersion, true);
        return server.address();
    }

    private PagerSessionAgent client(InetSocketAddress address, String token, long... nanos) {
        long[] at = {0};
        PagerSessionAgent c = new PagerSessionAgent(address, token, null, group, Duration.ofSeconds(10),
                nanos.length == 0 ? System::nanoTime : () -> nanos[(int) Math.min(at[0]++, nanos.length - 1)]);
        clients.add(c);
        return c;
    }

    @Test
    void aClientTakesSnapshotsAndPollsStatusThroughTheServersAgent() {
        InetSocketAddress address = serve("t0ken", PagerMessage.VERSION);
        server.sessionAgent(new ScriptedAgent());
        PagerSessionAgent agent = client(address, "t0ken", 1_000, 3_501_000);
        assertEquals(Duration.ZERO, agent.lastRoundTrip());
        ServedVmStatus status = agent.status(VmName.of("far"));
        assertEquals(STATUS, status);
        // The round trip is the status request's, measured with the injected clock.
        assertEquals(Duration.ofNanos(3_500_000), agent.lastRoundTrip());
        JoinSnapshot snapshot = agent.takeJoinSnapshot(VmName.of("far"));
        assertEquals(new JoinSnapshot(SnapshotTag.of("far-j1"), Duration.ofMillis(420)), snapshot);
        // Same connection, next request.
        assertEquals("far-j2", agent.takeJoinSnapshot(VmName.of("far")).tag().value());
    }

    @Test
    void aServerWithoutAgentSaysSessionsAreNotServedHere() {
        InetSocketAddress address = serve("", PagerMessage.VERSION);
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> client(address, "")
                .status(VmName.of("far")));
        assertEquals(Status.UNAVAILABLE, e.status());
        assertTrue(e.getMessage().contains("sessions are not served here"), e.getMessage());
    }

    @Test
    void theAgentsRefusalsKeepTheirStatusAndTheConnection() {
        InetSocketAddress address = serve("", PagerMessage.VERSION);
        ScriptedAgent scripted = new ScriptedAgent();
        server.sessionAgent(scripted);
        PagerSessionAgent agent = client(address, "");
        scripted.failure = ReplayDeskException.notFound("no VM far on this host");
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> agent.status(VmName.of("far")));
        assertEquals(Status.NOT_FOUND, e.status());
        assertTrue(e.getMessage().endsWith("no VM far on this host"), e.getMessage());
        scripted.failure = null;
        assertEquals(4096, agent.status(VmName.of("far")).recordLogBytes());
    }

    @Test
    void aWrongTokenIsRefusedBeforeAnyRequest() {
        InetSocketAddress address = serve("right", PagerMessage.VERSION);
        ScriptedAgent scripted = new ScriptedAgent();
        server.sessionAgent(scripted);
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> client(address, "wrong")
                .takeJoinSnapshot(VmName.of("far")));
        assertEquals(Status.UNAVAILABLE, e.status());
        assertTrue(e.getMessage().contains("wrong token"), e.getMessage());
        assertEquals(0, scripted.snapshots.get());
    }

    @Test
    void aVersion1ServerServesNoSessions() {
        InetSocketAddress address = serve("", PagerMessage.VERSION_1);
        server.sessionAgent(new ScriptedAgent());
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> client(address, "")
                .status(VmName.of("far")));
        assertEquals(Status.UNAVAILABLE, e.status());
        assertTrue(e.getMessage().contains("speaks pager protocol version 1"), e.getMessage());
    }

    @Test
    void aSessionRequestOnAVersion1ConnectionIsABadRequest() {
        InetSocketAddress address = serve("", PagerMessage.VERSION);
        server.sessionAgent(new ScriptedAgent());
        try (ChunkConnection c = new ChunkConnection(address, "", null, group, Duration.ofSeconds(10),
                PagerMessage.VERSION_1)) {
            // Sent by hand: the client refuses to send it on a version 1 connection.
            Object reply = c.await(sendRaw(c, new PagerMessage.SessionStatusRequest("far")));
            PagerMessage.Error error = assertInstanceOf(PagerMessage.Error.class, reply);
            assertEquals(PagerMessage.ErrorCode.BAD_REQUEST, error.code());
            assertTrue(error.message().contains("needs protocol version 2"), error.message());
        }
    }

    @Test
    void overlappingRequestsAreAnsweredInRequestOrder() throws Exception {
        InetSocketAddress address = serve("", PagerMessage.VERSION);
        ScriptedAgent scripted = new ScriptedAgent();
        scripted.gate = new CountDownLatch(1);
        server.sessionAgent(scripted);
        try (ChunkConnection c = ChunkConnection.open(address, "", null, group, Duration.ofSeconds(10))) {
            var missing = c.getAsync(List.of(PagerCodecTest.H1));
            var snapshot = sendRaw(c, new PagerMessage.SessionSnapshotRequest("far"));
            var status = sendRaw(c, new PagerMessage.SessionStatusRequest("far"));
            var manifest = sendRaw(c, new PagerMessage.ManifestRequest("none"));
            // The snapshot blocks in the agent: nothing after it may be answered before it.
            assertNull(c.await(missing).get(PagerCodecTest.H1));
            assertFalse(status.isDone() || manifest.isDone(), "answered ahead of the snapshot");
            scripted.gate.countDown();
            assertEquals(new PagerMessage.SessionSnapshotReply("far-j1", 420_000), c.await(snapshot));
            assertInstanceOf(PagerMessage.SessionStatusReply.class, c.await(status));
            assertEquals(PagerMessage.ErrorCode.NO_SUCH_IMAGE, ((PagerMessage.Error) c.await(manifest)).code());
        }
    }

    @Test
    void aVersion3ServerReportsNoVmCounters() {
        // A new client falls back to the old server's version 3 and reads its 6-field reply: counters unknown.
        InetSocketAddress address = serve("", PagerMessage.VERSION_VARIABLE_CHUNKS);
        server.sessionAgent(new ScriptedAgent());
        assertEquals(STATUS_WITHOUT_COUNTERS, client(address, "").status(VmName.of("far")));
    }

    @Test
    void aVersion3ClientOfANewServerGetsTheOldReplyByteForByte() throws Exception {
        InetSocketAddress address = serve("", PagerMessage.VERSION);
        server.sessionAgent(new ScriptedAgent());
        byte[] old = frame(new PagerMessage.SessionStatusReply(4096, "127.0.0.1", 5750, "vncauth", -1, -1));
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(frame(new PagerMessage.Hello(3, "")));
            s.getOutputStream().write(frame(new PagerMessage.SessionStatusRequest("far")));
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertArrayEquals(frame(new PagerMessage.Welcome(3, ChunkServer.MAX_BATCH)), readFrame(in));
            // Exactly what a version 3 client's decoder takes: no bytes after the input events.
            assertArrayEquals(old, readFrame(in));
        }
        // And the new client on a version 3 connection decodes it as such.
        try (ChunkConnection c = new ChunkConnection(address, "", null, group, Duration.ofSeconds(10),
                PagerMessage.VERSION_VARIABLE_CHUNKS)) {
            PagerMessage.SessionStatusReply reply = c.session(new PagerMessage.SessionStatusRequest("far"),
                    PagerMessage.SessionStatusReply.class, Duration.ofSeconds(10));
            assertFalse(reply.hasVmCounters());
            assertEquals(STATUS_WITHOUT_COUNTERS, SessionRequests.status(reply));
        }
    }

    @Test
    void aVersion4ClientGetsTheVmCountersOverTcp() {
        InetSocketAddress address = serve("", PagerMessage.VERSION);
        server.sessionAgent(new ScriptedAgent());
        try (ChunkConnection c = ChunkConnection.open(address, "", null, group, Duration.ofSeconds(10))) {
            assertEquals(PagerMessage.VERSION_VM_COUNTERS, c.version());
            PagerMessage.SessionStatusReply reply = c.session(new PagerMessage.SessionStatusRequest("far"),
                    PagerMessage.SessionStatusReply.class, Duration.ofSeconds(10));
            assertTrue(reply.hasVmCounters());
            assertEquals(2_500_000_000L, reply.vmCpuNanos());
            assertEquals(65_536, reply.vmNetworkBytes());
        }
    }

    @Test
    void aStatusReplyOfTheWrongFormForTheConnectionIsAProtocolError() throws Exception {
        // A server that welcomes version 3 and then sends the version 4 form (which the decoder alone would take).
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread serverThread = new Thread(() -> {
                try (Socket s = fake.accept()) {
                    s.setSoTimeout(5000);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    readFrame(in); // HELLO
                    s.getOutputStream().write(frame(new PagerMessage.Welcome(3, 256)));
                    readFrame(in); // SESSION-STATUS
                    s.getOutputStream().write(PagerCodecTest.V4_STATUS_WIRE);
                    in.read(); // until the client hangs up
                } catch (java.io.IOException e) {
                    // The test's assertions tell.
                }
            }, "fake-v3-server");
            serverThread.start();
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), fake.getLocalPort());
            try (ChunkConnection c = new ChunkConnection(address, "", null, group, Duration.ofSeconds(10),
                    PagerMessage.VERSION)) {
                assertEquals(3, c.version());
                ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> c.session(
                        new PagerMessage.SessionStatusRequest("far"), PagerMessage.SessionStatusReply.class,
                        Duration.ofSeconds(10)));
                assertTrue(e.getMessage().contains("sent SESSION-STATUS-REPLY with the VM counters on a protocol "
                        + "version 3 connection"), e.getMessage());
            }
            serverThread.join(10_000);
        }
    }

    private static byte[] frame(PagerMessage message) {
        io.netty.buffer.ByteBuf out = Unpooled.buffer();
        PagerFrameEncoder.encode(message, out);
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    /** @return one whole frame, header included */
    private static byte[] readFrame(DataInputStream in) throws java.io.IOException {
        byte[] header = new byte[PagerFrameDecoder.HEADER];
        in.readFully(header);
        int length = java.nio.ByteBuffer.wrap(header, 1, 4).getInt();
        byte[] frame = java.util.Arrays.copyOf(header, header.length + length);
        in.readFully(frame, header.length, length);
        return frame;
    }

    /** Sends a message through the connection's request FIFO without the client's own checks. */
    private static java.util.concurrent.CompletableFuture<Object> sendRaw(ChunkConnection c, PagerMessage m) {
        return c.sendForTest(m);
    }
}
