package org.replaydesk.pager.internal;

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
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * The session requests of protocol version 2: bad input to their decoders, the mapping of agent answers and failures
 * to replies and back, and both ends over loopback TCP (with and without an agent, version 1 connections, overlap).
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
        assertEquals("SESSION-STATUS-REPLY frame declares 2075 payload bytes, at most 2074 allowed",
                rejection(false, bytes(0x89, 0, 0, 0x08, 0x1b)));
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
            return new ServedVmStatus(4096, "127.0.0.1", 5750, ServedVmStatus.SECURITY_VNCAUTH, -1, -1);
        }
    }

    @Test
    void answersCarryTheAgentsValues() {
        ScriptedAgent agent = new ScriptedAgent();
        assertEquals(new PagerMessage.SessionSnapshotReply("far-j1", 420_000),
                SessionRequests.answer(agent, new PagerMessage.SessionSnapshotRequest("far")));
        assertEquals(new PagerMessage.SessionStatusReply(4096, "127.0.0.1", 5750, "vncauth", -1, -1),
                SessionRequests.answer(agent, new PagerMessage.SessionStatusRequest("far")));
    }

    @Test
    void failuresBecomeErrorsWithTheirStatus() {
        ScriptedAgent agent = new ScriptedAgent();
        agent.failure = ReplayDeskException.notFound("no VM far");
        assertEquals(new PagerMessage.Error(PagerMessage.ErrorCode.NO_SUCH_VM, "no VM far"),
                SessionRequests.answer(agent, new PagerMessage.SessionStatusRequest("far")));
        agent.failure = ReplayDeskException.conflict("far does not record");
        assertEquals(PagerMessage.ErrorCode.SESSION_CONFLICT, ((PagerMessage.Error) SessionRequests.answer(agent,
                new PagerMessage.SessionSnapshotRequest("far"))).code());
        agent.failure = new IllegalStateException("boom");
        PagerMessage.Error e = (PagerMessage.Error) SessionRequests.answer(agent,
                new PagerMessage.SessionSnapshotRequest("far"));
        assertEquals(PagerMessage.ErrorCode.SERVER_FAILURE, e.code());
        assertTrue(e.message().contains("boom"), e.message());
        assertEquals(PagerMessage.ErrorCode.NO_SUCH_VM, ((PagerMessage.Error) SessionRequests.answer(agent,
                new PagerMessage.SessionStatusRequest("bad name!"))).code());
        assertEquals(new PagerMessage.Error(PagerMessage.ErrorCode.SESSIONS_NOT_SERVED, SessionRequests.NOT_SERVED),
                SessionRequests.answer(null, new PagerMessage.SessionStatusRequest("far")));
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
        assertEquals(new ServedVmStatus(4096, "127.0.0.1", 5750, "vncauth", -1, -1), status);
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

    /** Sends a message through the connection's request FIFO without the client's own checks. */
    private static java.util.concurrent.CompletableFuture<Object> sendRaw(ChunkConnection c, PagerMessage m) {
        return c.sendForTest(m);
    }
}
