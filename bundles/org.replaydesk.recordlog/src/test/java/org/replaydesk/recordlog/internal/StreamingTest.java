package org.replaydesk.recordlog.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.recordlog.Subscription;
import org.replaydesk.recordlog.SubscriptionOptions;

/** The server and the client over loopback TCP, on files that grow like QEMU's record log. */
@Timeout(60)
class StreamingTest {

    private static final String TOKEN = "s3cret-token";
    private static final VmName VM = VmName.of("desk1");

    @TempDir
    Path dir;
    private EventLoopGroup group;
    private RecordLogServer server;
    private NettyRecordLogSubscriber subscriber;
    private final AtomicLong icount = new AtomicLong(1000);
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        group = new NioEventLoopGroup(2);
        server = new RecordLogServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TOKEN, null,
                Duration.ofMillis(5), Duration.ofMillis(100), group).start();
        subscriber = new NettyRecordLogSubscriber(group, false);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
        server.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    private SubscriptionOptions options() {
        return SubscriptionOptions.defaults().withToken(TOKEN).withReconnect(Duration.ofMillis(50),
                Duration.ofSeconds(5));
    }

    private Subscription subscribe(long start, CollectingSink sink, SubscriptionOptions options) {
        Subscription s = subscriber.subscribe(server.address(), VM, start, sink, options);
        cleanup.add(s);
        return s;
    }

    private GrowingLog publishNewLog() throws Exception {
        Path path = dir.resolve("record.log");
        GrowingLog log = new GrowingLog(path, 42);
        cleanup.add(log);
        server.publish(VM, path, () -> OptionalLong.of(icount.get()));
        return log;
    }

    /** What a client's FUSE helper would present: the streamed bytes with the final header in bytes 0-3. */
    private static byte[] withHeader(byte[] streamed, byte[] header) {
        byte[] b = streamed.clone();
        System.arraycopy(header, 0, b, 0, 4);
        return b;
    }

    private Thread writer(GrowingLog log, int chunks, int maxChunk, long sleepMillis) {
        Thread t = new Thread(() -> {
            try {
                java.util.Random sizes = new java.util.Random(7);
                for (int i = 0; i < chunks; i++) {
                    log.append(1 + sizes.nextInt(maxChunk));
                    icount.addAndGet(1_000_000);
                    Thread.sleep(sleepMillis);
                }
                log.finish();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, "log-writer");
        t.start();
        return t;
    }

    @Test
    void growingFileArrivesByteIdenticalWithHeartbeatsAndEnd() throws Exception {
        GrowingLog log = publishNewLog();
        CollectingSink sink = new CollectingSink(0);
        Subscription s = subscribe(0, sink, options());
        Thread w = writer(log, 200, 9000, 2);
        CollectingSink.End end = sink.awaitEnd(30);
        w.join();
        byte[] file = Files.readAllBytes(dir.resolve("record.log"));
        assertNull(sink.orderError);
        assertEquals(file.length, end.finalSize());
        assertArrayEquals(GrowingLog.QEMU_7_2_HEADER, end.header());
        assertArrayEquals(new byte[4], Arrays.copyOf(sink.bytes(), 4), "bytes 0-3 are streamed as QEMU left them");
        assertArrayEquals(file, withHeader(sink.bytes(), end.header()));
        assertEquals(file.length, s.bytesReceived());
        assertEquals(file.length, s.deliveredOffset());
        assertFalse(sink.heartbeats.isEmpty());
        assertTrue(sink.heartbeats.get(sink.heartbeats.size() - 1).icount().getAsLong() > 1000);
        assertEquals(0, s.reconnects());
        assertTrue(s.isDone());
    }

    /**
     * A freshly booted guest's log is mostly zeros: 16 MB of them compress about 1000:1, so a single socket read
     * inflates to megabytes. Found in the Karaf integration test (a 4 MiB per-read cap refused the stream).
     */
    @Test
    void aHighlyCompressibleBootLogStreamsFromTheStart() throws Exception {
        GrowingLog log = publishNewLog();
        log.appendBytes(new byte[16 << 20]);
        log.finish();
        CollectingSink sink = new CollectingSink(0);
        Subscription s = subscribe(0, sink, options());
        CollectingSink.End end = sink.awaitEnd(60);
        byte[] file = Files.readAllBytes(dir.resolve("record.log"));
        assertNull(sink.orderError);
        assertArrayEquals(file, withHeader(sink.bytes(), end.header()));
        assertTrue(s.wireBytesReceived() < file.length / 100, "compressed: " + s.wireBytesReceived());
    }

    @Test
    void startsAtAnOffset() throws Exception {
        GrowingLog log = publishNewLog();
        for (int i = 0; i < 10; i++) {
            log.append(4096);
        }
        log.finish();
        CollectingSink sink = new CollectingSink(5000);
        subscribe(5000, sink, options());
        CollectingSink.End end = sink.awaitEnd(10);
        byte[] file = Files.readAllBytes(dir.resolve("record.log"));
        assertNull(sink.orderError);
        assertArrayEquals(Arrays.copyOfRange(file, 5000, file.length), sink.bytes());
        assertEquals(file.length, end.finalSize());
    }

    @Test
    void aStartBeyondTheFinishedLogIsRefused() throws Exception {
        GrowingLog log = publishNewLog();
        log.append(100);
        log.finish();
        CollectingSink sink = new CollectingSink(1000);
        subscribe(1000, sink, options());
        ReplayDeskException e = sink.awaitError(10);
        assertEquals(Status.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().endsWith("(BAD_REQUEST): start offset 1000 is beyond the finished log's 112 bytes"),
                e.getMessage());
    }

    @Test
    void droppedConnectionsResumeWithoutGapOrDuplicate() throws Exception {
        GrowingLog log = publishNewLog();
        CollectingSink sink = new CollectingSink(0);
        Subscription s = subscribe(0, sink, options());
        Thread w = writer(log, 300, 6000, 5);
        for (int drop = 1; drop <= 3; drop++) {
            long target = drop * 150_000L;
            while (sink.next() < target) {
                Thread.sleep(5);
            }
            // close the server's side, as a broken network or a restarted proxy would
            server.sessions(VM).forEach(session -> session.channel().close());
        }
        CollectingSink.End end = sink.awaitEnd(30);
        w.join();
        byte[] file = Files.readAllBytes(dir.resolve("record.log"));
        assertNull(sink.orderError, "every DATA started where the previous one ended");
        assertArrayEquals(file, withHeader(sink.bytes(), end.header()));
        assertEquals(3, s.reconnects());
        assertEquals(file.length, s.bytesReceived(), "no byte was received twice");
    }

    @Test
    void slowSinkMakesTheSubscriptionLagWithBoundedMemory() throws Exception {
        GrowingLog log = publishNewLog();
        for (int i = 0; i < 64; i++) {
            log.append(65536);
        }
        log.finish();
        int buffer = 256 * 1024;
        CollectingSink sink = new CollectingSink(0);
        sink.delayMillisPerData = 15;
        Subscription s = subscribe(0, sink, options().withBufferBytes(buffer));
        long maxBuffered = 0;
        while (!sink.terminal.isDone()) {
            maxBuffered = Math.max(maxBuffered, s.bufferedBytes());
            Thread.sleep(1);
        }
        CollectingSink.End end = sink.awaitEnd(1);
        byte[] file = Files.readAllBytes(dir.resolve("record.log"));
        assertArrayEquals(file, withHeader(sink.bytes(), end.header()));
        assertTrue(sink.laggingSignals.size() >= 2, "lagging went on and off: " + sink.laggingSignals);
        assertEquals(Boolean.TRUE, sink.laggingSignals.get(0));
        assertEquals(Boolean.FALSE, sink.laggingSignals.get(1));
        // reading pauses at the limit; what is already in the socket read (one read, at most 64 KiB) and one frame
        // may land on top
        assertTrue(maxBuffered <= buffer + 2 * (Frame.MAX_DATA_BYTES + 8), "buffered at most " + maxBuffered);
        assertTrue(maxBuffered >= buffer, "the buffer did fill: " + maxBuffered);
        System.out.printf("slow sink: buffer %d, peak buffered %d, lagging signals %s%n", buffer, maxBuffered,
                sink.laggingSignals);
    }

    @Test
    void lagBytesFollowTheHeartbeats() throws Exception {
        GrowingLog log = publishNewLog();
        log.append(100_000);
        CollectingSink sink = new CollectingSink(0);
        Subscription s = subscribe(0, sink, options());
        while (s.deliveredOffset() < log.length() || s.lastHeartbeat().isEmpty()
                || s.lastHeartbeat().get().logSize() < log.length()) {
            Thread.sleep(5);
        }
        assertEquals(0, s.lagBytes());
        assertEquals(log.length(), s.lastHeartbeat().get().logSize());
        assertEquals(OptionalLong.of(1000), s.lastHeartbeat().get().icount());
        s.close();
        assertTrue(s.isDone());
    }

    /** Answers the first connection with an HTTP error, as a web server on the wrong port would. */
    private ReplayDeskException errorFromFakeServer(SubscriptionOptions options) throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket c = fake.accept()) {
                    InputStream in = c.getInputStream();
                    in.read(new byte[64]);
                    OutputStream out = c.getOutputStream();
                    out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(2000);
                } catch (Exception e) {
                    // the client hung up
                }
            });
            t.start();
            CollectingSink sink = new CollectingSink(0);
            Subscription s = subscriber.subscribe((InetSocketAddress) fake.getLocalSocketAddress(), VM, 0, sink,
                    options);
            cleanup.add(s);
            ReplayDeskException e = sink.awaitError(10);
            assertEquals(Status.FAILED, e.status());
            assertTrue(e.getMessage().contains("(VM 'desk1') sent data that is not the record-log protocol: "),
                    e.getMessage());
            assertTrue(s.isDone());
            assertEquals(0, s.reconnects(), "garbage is not retried");
            return e;
        }
    }

    @Test
    void garbageFromTheServerStopsTheClientWithAClearError() throws Exception {
        assertTrue(errorFromFakeServer(options().withCompress(false)).getMessage().endsWith("bad record-log frame "
                + "at stream byte 0: unknown frame type 0x48 (a client accepts 0x02-0x05; is this a record-log "
                + "server?)"));
        String zlib = errorFromFakeServer(options()).getMessage();
        assertTrue(zlib.contains("not a zlib stream, or one that inflates beyond "
                + NettySubscription.MAX_INFLATED_PER_READ + " bytes per read"), zlib);
    }

    @Test
    void uncompressedStreamIsByteIdenticalAndCompressionShrinksTheWire() throws Exception {
        byte[] file = null;
        long[] wire = new long[2];
        for (int round = 0; round < 2; round++) {
            GrowingLog log = publishNewLog();
            // compressible like a record log: repeated small events with varying numbers
            for (int i = 0; i < 20_000; i++) {
                log.appendBytes(new byte[] {0x01, 0x00, 0x00, (byte) (i >> 8), (byte) i, 0x02, 0x00, 0x00, 0x00, 0x09});
            }
            log.finish();
            CollectingSink sink = new CollectingSink(0);
            Subscription s = subscribe(0, sink, options().withCompress(round == 1));
            CollectingSink.End end = sink.awaitEnd(10);
            file = Files.readAllBytes(dir.resolve("record.log"));
            assertArrayEquals(file, withHeader(sink.bytes(), end.header()));
            wire[round] = s.wireBytesReceived();
            server.unpublish(VM);
        }
        System.out.printf("wire bytes for a %d-byte log: %d plain, %d zlib%n", file.length, wire[0], wire[1]);
        assertTrue(wire[0] > file.length, "plain: frames add their headers");
        assertTrue(wire[1] * 3 < wire[0], "zlib shrinks a repetitive log at least 3x");
    }

    @Test
    void unknownHelloFlagsAreRefused() throws Exception {
        publishNewLog();
        try (Socket raw = new Socket(server.address().getAddress(), server.address().getPort())) {
            io.netty.buffer.ByteBuf hello = io.netty.buffer.Unpooled.buffer();
            FrameEncoder.write(new HelloFrame(1, 0x8000, 0, TOKEN, "desk1"), hello);
            raw.getOutputStream().write(io.netty.buffer.ByteBufUtil.getBytes(hello));
            byte[] answer = raw.getInputStream().readAllBytes();
            io.netty.channel.embedded.EmbeddedChannel decoder = new io.netty.channel.embedded.EmbeddedChannel(
                    new FrameDecoder(FrameDecoder.Side.CLIENT));
            decoder.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(answer));
            ErrorFrame error = decoder.readInbound();
            assertEquals(new ErrorFrame(ErrorCode.BAD_REQUEST, "unknown HELLO flags 0x8000; this server knows 0x1 "
                    + "(zlib)"), error);
        }
    }

    /** Reads one frame with the server's decoder from a blocking socket. */
    private static Object readFrame(InputStream in) throws Exception {
        io.netty.channel.embedded.EmbeddedChannel decoder = new io.netty.channel.embedded.EmbeddedChannel(
                new FrameDecoder(FrameDecoder.Side.SERVER));
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("client closed before a whole frame");
            }
            decoder.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {(byte) b}));
            Object frame = decoder.readInbound();
            if (frame != null) {
                return frame;
            }
        }
    }

    private static void send(OutputStream out, Frame frame) throws Exception {
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
        FrameEncoder.write(frame, buf);
        out.write(io.netty.buffer.ByteBufUtil.getBytes(buf));
        out.flush();
    }

    @Test
    void aSilentServerCountsAsDroppedAndTheNextHelloAsksForTheNextByte() throws Exception {
        List<HelloFrame> hellos = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ServerSocket fake = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket first = fake.accept()) {
                    hellos.add((HelloFrame) readFrame(first.getInputStream()));
                    send(first.getOutputStream(), new DataFrame(0, new byte[10]));
                    // then silence: no heartbeat, no close
                    try (Socket second = fake.accept()) {
                        hellos.add((HelloFrame) readFrame(second.getInputStream()));
                        send(second.getOutputStream(), new EndFrame(10, GrowingLog.QEMU_7_2_HEADER));
                        Thread.sleep(500);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.setDaemon(true);
            t.start();
            CollectingSink sink = new CollectingSink(0);
            Subscription s = subscriber.subscribe((InetSocketAddress) fake.getLocalSocketAddress(), VM, 0, sink,
                    options().withCompress(false).withIdleTimeout(Duration.ofMillis(300)));
            cleanup.add(s);
            assertEquals(10, sink.awaitEnd(10).finalSize());
            assertEquals(1, s.reconnects());
            assertEquals(2, hellos.size());
            assertEquals(0, hellos.get(0).startOffset());
            assertEquals(10, hellos.get(1).startOffset(), "the second HELLO asks for the byte after the last one");
            assertEquals(TOKEN, hellos.get(1).token());
            assertEquals(0, hellos.get(1).flags());
        }
    }

    @Test
    void wrongTokenIsRefused() throws Exception {
        publishNewLog();
        CollectingSink sink = new CollectingSink(0);
        subscribe(0, sink, options().withToken("guess"));
        ReplayDeskException e = sink.awaitError(10);
        assertEquals(Status.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().endsWith("stopped the stream (UNAUTHORIZED): wrong token; set the token the server "
                + "is configured with"), e.getMessage());
        assertFalse(e.getMessage().contains(TOKEN));
        CollectingSink none = new CollectingSink(0);
        subscribe(0, none, options().withToken(""));
        assertEquals(Status.INVALID_ARGUMENT, none.awaitError(10).status());
    }

    @Test
    void unknownVmIsNotFound() throws Exception {
        publishNewLog();
        CollectingSink sink = new CollectingSink(0);
        Subscription s = subscriber.subscribe(server.address(), VmName.of("other"), 0, sink, options());
        cleanup.add(s);
        ReplayDeskException e = sink.awaitError(10);
        assertEquals(Status.NOT_FOUND, e.status());
        assertTrue(e.getMessage().contains("no record log is published for VM 'other' (published: [desk1])"),
                e.getMessage());
    }

    @Test
    void recorderStoppingWithoutFinishingTheLogIsAnError() throws Exception {
        GrowingLog log = publishNewLog();
        log.append(20_000);
        CollectingSink sink = new CollectingSink(0);
        subscribe(0, sink, options());
        while (sink.next() < log.length()) {
            Thread.sleep(5);
        }
        server.recorderStopped(VM);
        ReplayDeskException e = sink.awaitError(10);
        assertEquals(Status.FAILED, e.status());
        assertTrue(e.getMessage().contains("(LOG_ABORTED): the recorder of VM 'desk1' stopped without finishing "
                + "its log"), e.getMessage());
        assertArrayEquals(Files.readAllBytes(dir.resolve("record.log")), sink.bytes(), "all bytes came first");
    }

    @Test
    void aNewRecordingDisconnectsTheOldSubscribers() throws Exception {
        GrowingLog log = publishNewLog();
        log.append(1000);
        CollectingSink sink = new CollectingSink(0);
        subscribe(0, sink, options());
        while (sink.next() < log.length()) {
            Thread.sleep(5);
        }
        server.publish(VM, dir.resolve("other.log"), OptionalLong::empty);
        ReplayDeskException e = sink.awaitError(10);
        assertEquals(Status.UNAVAILABLE, e.status());
        assertTrue(e.getMessage().contains("started a new recording"), e.getMessage());
    }

    @Test
    void anUnreachableServerFailsAfterTheReconnectTimeout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CollectingSink sink = new CollectingSink(0);
        long t0 = System.nanoTime();
        Subscription s = subscriber.subscribe(new InetSocketAddress("127.0.0.1", port), VM, 0,
                sink, options().withReconnect(Duration.ofMillis(50), Duration.ofMillis(500)));
        cleanup.add(s);
        ReplayDeskException e = sink.awaitError(10);
        assertEquals(Status.UNAVAILABLE, e.status());
        assertTrue(e.getMessage().startsWith("cannot reach record-log server 127.0.0.1:" + port
                + " (VM 'desk1') for 500 ms"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
    }

    /**
     * The latency the streamer adds: from the moment a chunk is in the file to the moment the sink has it. QEMU
     * flushes 4 KiB at a time, so the writer appends 4 KiB chunks at a steady pace.
     */
    @Test
    void addedLatencyIsAFewMilliseconds() throws Exception {
        GrowingLog log = publishNewLog();
        CollectingSink sink = new CollectingSink(0);
        subscribe(0, sink, options());
        for (int i = 0; i < 200; i++) {
            log.append(4096);
            Thread.sleep(20);
        }
        log.finish();
        sink.awaitEnd(10);
        List<Double> millis = new ArrayList<>();
        for (Map.Entry<Long, Long> written : log.writtenNanosByEnd.entrySet()) {
            Long arrived = sink.arrivalNanosByEnd.get(written.getKey());
            if (arrived != null) {
                millis.add((arrived - written.getValue()) / 1e6);
            }
        }
        Collections.sort(millis);
        assertTrue(millis.size() >= 190, "most chunks arrived as a frame of their own: " + millis.size());
        double p50 = millis.get(millis.size() / 2);
        double p95 = millis.get((int) (millis.size() * 0.95));
        double max = millis.get(millis.size() - 1);
        System.out.printf("added latency over %d chunks (poll 5 ms): p50 %.2f ms, p95 %.2f ms, max %.2f ms%n",
                millis.size(), p50, p95, max);
        assertTrue(p95 < 50, "p95 " + p95 + " ms");
    }
}
