package org.replaydesk.replay.internal.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;

/**
 * The bytes RdfuseProcess writes for every command (golden bytes, spelled out), how it reads the replies, and how it
 * fails when the peer breaks the protocol, goes silent or closes: pending and later calls fail fast, never hang.
 */
class RdfuseProcessProtocolTest {

    @TempDir
    Path tmp;

    FakeRdfusePeer fake;
    final List<String> exits = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeRdfusePeer(tmp, Duration.ofSeconds(5));
        fake.rdfuse.setExitListener(exits::add);
    }

    @AfterEach
    void tearDown() throws Exception {
        fake.close();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Runs the call, checks that the peer receives exactly {@code expected}, answers {@code reply}, returns the result. */
    private <T> T exchange(Supplier<T> call, byte[] expected, String reply) throws Exception {
        CompletableFuture<T> result = CompletableFuture.supplyAsync(call);
        assertArrayEquals(expected, fake.read(expected.length),
                () -> "sent: " + new String(expected, StandardCharsets.ISO_8859_1));
        fake.send(reply);
        return result.get(5, TimeUnit.SECONDS);
    }

    private void exchange(Runnable call, byte[] expected, String reply) throws Exception {
        exchange(() -> {
            call.run();
            return null;
        }, expected, reply);
    }

    @Test
    void goldenBytesOfEveryCommand() throws Exception {
        RdfuseProcess rd = fake.rdfuse;
        Path mnt = tmp.resolve("mnt");
        assertEquals("PONG rdfuse 2", exchange(rd::ping, ascii("PING\n"), "OK PONG rdfuse 2\n"));
        // A plain log, and one that starts at a snapshot's log offset.
        assertEquals(mnt.resolve("rec.log"), exchange(() -> rd.declareLog("rec.log", 0), ascii("LOG rec.log\n"),
                "OK\n"));
        assertEquals(mnt.resolve("late.log"), exchange(() -> rd.declareLog("late.log", 5242880),
                ascii("LOG late.log 5242880\n"), "OK\n"));
        byte[] payload = {'h', 'e', 'l', 'l', 'o'};
        assertEquals(5L, exchange(() -> rd.appendLog("rec.log", 0, payload, 0, 5),
                concat(ascii("DATA rec.log 0 5\n"), payload), "OK 5\n"));
        // off/len select a slice: "ll" at log offset 5
        assertEquals(7L, exchange(() -> rd.appendLog("rec.log", 5, payload, 2, 2),
                ascii("DATA rec.log 5 2\nll"), "OK 7\n"));
        assertEquals(0L, exchange(() -> rd.appendLog("rec.log", 7, payload, 0, 0),
                ascii("DATA rec.log 7 0\n"), "OK 7\n") - 7);
        assertEquals(7L, exchange(() -> rd.endLog("rec.log"), ascii("END rec.log\n"), "OK 7\n"));
        exchange(() -> rd.abort("late.log", "stream broke: server gone"),
                ascii("ABORT late.log stream broke: server gone\n"), "OK\n");
        // A reason is one line: line breaks become spaces; none at all is said so.
        exchange(() -> rd.abort("late.log", "two\nlines\r"), ascii("ABORT late.log two lines \n"), "OK\n");
        exchange(() -> rd.abort("late.log", ""), ascii("ABORT late.log no reason given\n"), "OK\n");
        assertEquals(mnt.resolve("disk.qcow2"), exchange(() -> rd.declareImage("disk.qcow2", 40960, 16384),
                ascii("IMAGE disk.qcow2 40960 16384\n"), "OK chunks=3\n"));
        byte[] chunk = new byte[8192];
        chunk[0] = 1;
        chunk[8191] = 2;
        exchange(() -> rd.chunk("disk.qcow2", 2, chunk), concat(ascii("CHUNK disk.qcow2 2 8192\n"), chunk), "OK 2\n");
        exchange(() -> rd.chunk("disk.qcow2", 2, chunk), concat(ascii("CHUNK disk.qcow2 2 8192\n"), chunk),
                "OK 2 duplicate\n");
        exchange(() -> rd.chunkError("disk.qcow2", 1, "hash mismatch after 2 attempts"),
                ascii("CHUNKERR disk.qcow2 1 hash mismatch after 2 attempts\n"), "OK\n");
        LogStat log = exchange(() -> rd.statLog("rec.log"), ascii("STAT rec.log\n"),
                "OK received=7 asked=4 served=7 state=ended blocked=0 opens=1 reads=2 maxread=8192 bytesread=3 "
                        + "start=0\n");
        assertEquals(new LogStat(7, 4, 7, "ended", 0, 1, 2, 8192, 3, 0), log);
        // An rdfuse from before LOG START has no start= field: 0.
        assertEquals(0, exchange(() -> rd.statLog("rec.log"), ascii("STAT rec.log\n"),
                "OK received=7 asked=4 served=7 state=ended blocked=0 opens=1 reads=2 maxread=8192 bytesread=3\n")
                .start());
        ImageStat image = exchange(() -> rd.statImage("disk.qcow2"), ascii("STAT disk.qcow2\n"),
                "OK size=40960 imagesize=40960 chunksize=16384 chunks=3 present=2 requested=0 needs=3 chunkerrs=1 "
                        + "state=ok blocked=0 opens=1 reads=4 maxread=131072 bytesread=20000 writes=1 "
                        + "byteswritten=4096 cowblocks=1\n");
        assertEquals(new ImageStat(40960, 40960, 16384, 3, 2, 0, 3, 1, "ok", 0, 1, 4, 131072, 20000, 1, 4096, 1),
                image);
        assertTrue(rd.isAlive());
    }

    @Test
    void errRepliesFailNamingTheCommandAndTheReply() throws Exception {
        RdfuseProcess rd = fake.rdfuse;
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> exchange(
                () -> rd.appendLog("rec", 8192, new byte[10], 0, 10),
                concat(ascii("DATA rec 8192 10\n"), new byte[10]), "ERR gap expected=4096 got=8192\n"));
        ReplayDeskException cause = (ReplayDeskException) e.getCause();
        assertEquals(Status.FAILED, cause.status());
        assertEquals("rdfuse refused \"DATA rec 8192 10\": ERR gap expected=4096 got=8192", cause.getMessage());
        assertTrue(rd.isAlive(), "an ERR reply is an answer: the connection stays up");
        assertEquals("PONG rdfuse 2", exchange(rd::ping, ascii("PING\n"), "OK PONG rdfuse 2\n"));
    }

    @Test
    void badNamesAreRefusedBeforeAnythingIsSent() throws Exception {
        RdfuseProcess rd = fake.rdfuse;
        for (String bad : new String[] {"", ".hidden", "a b", "x/y", "new\nline", "a".repeat(201)}) {
            ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> rd.declareLog(bad, 0));
            assertEquals(Status.INVALID_ARGUMENT, e.status());
        }
        assertEquals(Status.INVALID_ARGUMENT,
                assertThrows(ReplayDeskException.class, () -> rd.declareLog("ok", -1)).status());
        // Nothing went out: the next bytes the peer sees are the PING.
        assertEquals("PONG rdfuse 2", exchange(rd::ping, ascii("PING\n"), "OK PONG rdfuse 2\n"));
    }

    @Test
    void needLinesBetweenACommandAndItsReplyGoToTheListeners() throws Exception {
        RdfuseProcess rd = fake.rdfuse;
        List<String> fallback = Collections.synchronizedList(new ArrayList<>());
        List<String> own = Collections.synchronizedList(new ArrayList<>());
        rd.setNeedListener((name, idx) -> fallback.add(name + java.util.Arrays.toString(idx)));
        NeedListener mine = (name, idx) -> own.add(name + java.util.Arrays.toString(idx));
        rd.registerNeedListener("a.img", mine);
        assertThrows(ReplayDeskException.class, () -> rd.registerNeedListener("a.img", (n, i) -> { }));
        // The reply arrives split, with NEED lines before and inside the split: byte at a time.
        CompletableFuture<String> ping = CompletableFuture.supplyAsync(rd::ping);
        assertArrayEquals(ascii("PING\n"), fake.read(5));
        for (byte b : ascii("NEED a.img 0 1\nNEED b.img 7\nOK PONG rdfuse 2\nNEED a.img 2\n")) {
            fake.send(new byte[] {b});
        }
        assertEquals("PONG rdfuse 2", ping.get(5, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (own.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(List.of("a.img[0, 1]", "a.img[2]"), own);
        assertEquals(List.of("b.img[7]"), fallback);
        rd.unregisterNeedListener("a.img", mine);
        fake.send("NEED a.img 3\n");
        assertEquals("PONG rdfuse 2", exchange(rd::ping, ascii("PING\n"), "OK PONG rdfuse 2\n"));
        assertEquals(List.of("b.img[7]", "a.img[3]"), fallback);
    }

    @Test
    void overlappingCommandsGetTheirOwnRepliesInOrder() throws Exception {
        RdfuseProcess rd = fake.rdfuse;
        CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> rd.endLog("one"));
        assertArrayEquals(ascii("END one\n"), fake.read(8));
        CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> rd.endLog("two"));
        assertArrayEquals(ascii("END two\n"), fake.read(8));
        fake.send("OK 111\nOK 222\n");
        assertEquals(111L, first.get(5, TimeUnit.SECONDS));
        assertEquals(222L, second.get(5, TimeUnit.SECONDS));
    }

    /** Sends a PING, answers it with {@code bad}, and checks that it and every later call fail fast. */
    private String breakWith(byte[] bad) throws Exception {
        RdfuseProcess rd = fake.rdfuse;
        CompletableFuture<String> ping = CompletableFuture.supplyAsync(rd::ping);
        assertArrayEquals(ascii("PING\n"), fake.read(5));
        fake.send(bad);
        ReplayDeskException pending = (ReplayDeskException) assertThrows(java.util.concurrent.ExecutionException.class,
                () -> ping.get(5, TimeUnit.SECONDS)).getCause();
        assertEquals(Status.FAILED, pending.status());
        assertFalse(rd.isAlive());
        long t0 = System.nanoTime();
        ReplayDeskException later = assertThrows(ReplayDeskException.class, () -> rd.endLog("x"));
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "a later call fails at once");
        assertTrue(later.getMessage().startsWith("rdfuse command \"END x\" not sent: "), later.getMessage());
        waitForExit();
        assertEquals(1, exits.size(), "the exit listener is called once");
        return pending.getMessage();
    }

    private void waitForExit() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (exits.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void garbageBreaksTheConnection() throws Exception {
        assertEquals("rdfuse command \"PING\" failed: rdfuse sent a line that is neither OK, ERR nor NEED: "
                + "\"PONG\"; the control connection was dropped", breakWith(ascii("PONG\n")));
        assertEquals("rdfuse sent a line that is neither OK, ERR nor NEED: \"PONG\"; the control connection was "
                + "dropped", exits.get(0));
    }

    @Test
    void anOverLongReplyBreaksTheConnection() throws Exception {
        assertEquals("rdfuse command \"PING\" failed: rdfuse sent a line longer than 4096 bytes (starting \"OK "
                + "z".repeat(57) + "\"); the control connection was dropped", breakWith(ascii("OK " + "z".repeat(5000))));
    }

    @Test
    void aReplyNobodyAskedForBreaksTheConnection() throws Exception {
        fake.send("OK 5\n");
        waitForExit();
        assertEquals(List.of("rdfuse sent \"OK 5\" while no command was waiting; the control connection was dropped"),
                exits);
        assertThrows(ReplayDeskException.class, fake.rdfuse::ping);
    }

    @Test
    void aPeerThatClosesFailsThePendingCall() throws Exception {
        RdfuseProcess rd = fake.rdfuse;
        CompletableFuture<String> ping = CompletableFuture.supplyAsync(rd::ping);
        assertArrayEquals(ascii("PING\n"), fake.read(5));
        fake.peer.close();
        ReplayDeskException e = (ReplayDeskException) assertThrows(java.util.concurrent.ExecutionException.class,
                () -> ping.get(5, TimeUnit.SECONDS)).getCause();
        assertEquals("rdfuse command \"PING\" failed: rdfuse closed the control connection", e.getMessage());
        waitForExit();
        assertEquals(List.of("rdfuse closed the control connection"), exits);
        assertThrows(ReplayDeskException.class, () -> rd.statLog("x"));
    }

    @Test
    void aSilentPeerTimesOutAndBreaksTheConnection() throws Exception {
        try (FakeRdfusePeer silent = new FakeRdfusePeer(tmp.resolve("silent"), Duration.ofMillis(300))) {
            AtomicReference<String> exit = new AtomicReference<>();
            CountDownLatch exited = new CountDownLatch(1);
            silent.rdfuse.setExitListener(reason -> {
                exit.set(reason);
                exited.countDown();
            });
            long t0 = System.nanoTime();
            ReplayDeskException e = assertThrows(ReplayDeskException.class, silent.rdfuse::ping);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 250 && ms < 3000, "failed after " + ms + " ms");
            assertEquals("rdfuse command \"PING\" failed: rdfuse did not answer \"PING\" within PT0.3S",
                    e.getMessage());
            assertTrue(exited.await(5, TimeUnit.SECONDS));
            assertEquals("rdfuse did not answer \"PING\" within PT0.3S", exit.get());
        }
    }

    @Test
    void aPeerThatStopsReadingCannotBlockABigWriteForever() throws Exception {
        try (FakeRdfusePeer stuck = new FakeRdfusePeer(tmp.resolve("stuck"), Duration.ofMillis(300))) {
            // 64 MiB cannot fit in the socket buffers: the write itself blocks until the watchdog closes it.
            byte[] big = new byte[64 << 20];
            long t0 = System.nanoTime();
            ReplayDeskException e = assertThrows(ReplayDeskException.class,
                    () -> stuck.rdfuse.appendLog("rec", 0, big, 0, big.length));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3000, "failed after " + ms + " ms");
            assertTrue(e.getMessage().contains("did not answer \"DATA rec 0 67108864\" within PT0.3S"),
                    e.getMessage());
        }
    }

    @Test
    void closeOfAFakePeerSendsQuitAndIsIdempotent() throws Exception {
        RdfuseProcess rd = fake.rdfuse;
        CompletableFuture<Void> closing = CompletableFuture.runAsync(rd::close);
        assertArrayEquals(ascii("QUIT\n"), fake.read(5));
        fake.send("OK BYE\n");
        closing.get(10, TimeUnit.SECONDS);
        rd.close();
        assertFalse(rd.isAlive());
        assertEquals(List.of(), exits, "close() is not reported as an exit");
    }
}
