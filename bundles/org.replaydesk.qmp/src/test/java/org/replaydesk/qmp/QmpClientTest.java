package org.replaydesk.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.qmp.FakeQmpServer.Request;
import org.replaydesk.qmp.internal.QmpGoldenVectors;

/** The client against a scripted QMP server on a real unix socket. */
@Timeout(20)
class QmpClientTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    @TempDir
    Path tempDir;

    private FakeQmpServer server;
    private QmpClient client;

    @BeforeEach
    void startServer() throws Exception {
        server = new FakeQmpServer(tempDir);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    /** Runs a blocking call on another thread, so that the test thread can play the server meanwhile. */
    private static <T> CompletableFuture<T> async(java.util.function.Supplier<T> call) {
        return CompletableFuture.supplyAsync(call);
    }

    private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
        return e.getCause();
    }

    // ---- handshake --------------------------------------------------------------------------------------------

    @Test
    void handshakeDecodesGreetingAndWritesGoldenCapabilitiesRequest() throws Exception {
        client = server.connectClient();
        assertEquals(new QmpGreeting(7, 2, 22, "Debian 1:7.2+dfsg-7+deb12u18+b3", List.of("oob")), client.greeting());
        assertEquals(QmpGoldenVectors.REQUEST_CAPABILITIES, server.receivedText());
        assertEquals(server.path(), client.socket());
        assertFalse(client.isClosed());
    }

    @Test
    void commandsWriteGoldenRequestBytes() throws Exception {
        client = server.connectClient();
        CompletableFuture<JsonNode> status = async(() -> client.execute("query-status", LONG));
        assertEquals(2, server.nextRequest("query-status").id());
        server.send(QmpGoldenVectors.QUERY_STATUS_RUNNING.replace("\"id\": 1", "\"id\": 2"));
        status.get(5, TimeUnit.SECONDS);
        CompletableFuture<JsonNode> withMap = async(() -> client.execute("replay-break", Map.of("icount", 42), LONG));
        server.reply(server.nextRequest("replay-break"), "{}");
        withMap.get(5, TimeUnit.SECONDS);
        CompletableFuture<String> hmp = async(() -> client.humanMonitorCommand("info status", LONG));
        assertEquals(4, server.nextRequest("human-monitor-command").id());
        server.send("{\"return\": \"VM status: running\\r\\n\", \"id\": 4}\r\n");
        assertEquals("VM status: running\r\n", hmp.get(5, TimeUnit.SECONDS));

        assertEquals(QmpGoldenVectors.REQUEST_CAPABILITIES
                + "{\"execute\":\"query-status\",\"id\":2}"
                + "{\"execute\":\"replay-break\",\"arguments\":{\"icount\":42},\"id\":3}"
                + "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info status\"},\"id\":4}",
                server.receivedText());
    }

    @Test
    void byteAtATimeDeliveryWorksForGreetingRepliesAndEvents() throws Exception {
        List<QmpEvent> events = new CopyOnWriteArrayList<>();
        CompletableFuture<QmpClient> connecting = async(
                () -> QmpClient.connect(server.path(), Duration.ofSeconds(5), events::add));
        server.accept();
        server.sendByteAtATime(QmpGoldenVectors.GREETING);
        server.sendByteAtATime("{\"return\": {}, \"id\": " + server.nextRequest("qmp_capabilities").id() + "}\r\n");
        client = connecting.get(5, TimeUnit.SECONDS);
        assertEquals(22, client.greeting().micro());

        CompletableFuture<JsonNode> reply = async(() -> client.execute("query-name", LONG));
        Request request = server.nextRequest("query-name");
        server.sendByteAtATime("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"X\","
                + " \"data\": {\"text\": \"Grüße ✓ 😀\"}}\r\n");
        server.sendByteAtATime("{\"return\": {\"name\": \"desk-1 ✓\"}, \"id\": " + request.id() + "}\r\n");
        assertEquals("desk-1 ✓", reply.get(5, TimeUnit.SECONDS).get("name").asText());
        assertEquals(1, events.size());
        assertEquals("Grüße ✓ 😀", events.get(0).data().get("text").asText());
    }

    @Test
    void eventsBeforeTheGreetingAndDuringNegotiationReachTheEarlyListener() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<QmpClient> connecting = async(
                () -> QmpClient.connect(server.path(), Duration.ofSeconds(5), e -> events.add(e.name())));
        server.accept();
        server.send(QmpGoldenVectors.EVENT_STOP);
        server.send(QmpGoldenVectors.GREETING);
        Request capabilities = server.nextRequest("qmp_capabilities");
        server.send(QmpGoldenVectors.EVENT_RESUME);
        server.reply(capabilities, "{}");
        client = connecting.get(5, TimeUnit.SECONDS);
        assertEquals(List.of("STOP", "RESUME"), events);
    }

    @Test
    void greetingTimeoutWhenThePeerStaysSilent() throws Exception {
        CompletableFuture<QmpClient> connecting = async(
                () -> QmpClient.connect(server.path(), Duration.ofMillis(300)));
        server.accept();
        Throwable failure = failureOf(connecting);
        assertInstanceOf(QmpTimeoutException.class, failure);
        assertTrue(failure.getMessage().contains("sent no greeting"), failure.getMessage());
        assertTrue(failure.getMessage().contains(server.path().toString()), failure.getMessage());
    }

    @Test
    void peerClosingBeforeTheGreetingFailsTheConnect() throws Exception {
        CompletableFuture<QmpClient> connecting = async(
                () -> QmpClient.connect(server.path(), Duration.ofSeconds(5)));
        server.accept();
        server.dropConnection();
        Throwable failure = failureOf(connecting);
        assertInstanceOf(QmpException.class, failure);
        assertTrue(failure.getMessage().contains("QMP handshake on " + server.path()), failure.getMessage());
    }

    @Test
    void connectTimesOutWhenNoSocketExists() {
        Path missing = tempDir.resolve("missing.sock");
        long start = System.nanoTime();
        QmpTimeoutException e = assertThrows(QmpTimeoutException.class,
                () -> QmpClient.connect(missing, Duration.ofMillis(300)));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMillis >= 280 && elapsedMillis < 2000, "took " + elapsedMillis + " ms");
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void connectRetriesUntilTheSocketAppears() throws Exception {
        server.close();
        CompletableFuture<QmpClient> connecting = async(
                () -> QmpClient.connect(server.path(), Duration.ofSeconds(5)));
        Thread.sleep(200); // QEMU creates its socket a moment after it starts
        server = new FakeQmpServer(tempDir);
        server.accept();
        server.send(QmpGoldenVectors.GREETING);
        server.reply(server.nextRequest("qmp_capabilities"), "{}");
        client = connecting.get(5, TimeUnit.SECONDS);
        assertEquals(7, client.greeting().major());
    }

    @Test
    void readerThreadIsANamedDaemon() throws Exception {
        client = server.connectClient();
        Thread reader = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("qmp-reader-qmp.sock"))
                .findFirst().orElseThrow();
        assertTrue(reader.isDaemon());
        client.close();
        reader.join(2000);
        assertFalse(reader.isAlive(), "close() ends the reader thread");
    }

    // ---- replies and events -----------------------------------------------------------------------------------

    @Test
    void severalMessagesInOneWrite() throws Exception {
        client = server.connectClient();
        List<String> events = new CopyOnWriteArrayList<>();
        client.addEventListener(e -> events.add(e.name()));
        CompletableFuture<Void> stop = CompletableFuture.runAsync(client::stop);
        Request request = server.nextRequest("stop");
        // as QEMU answered stop: the STOP event and the reply in one read (plus one more event)
        assertEquals(2, request.id(), "ids count up from qmp_capabilities = 1");
        server.send(QmpGoldenVectors.EVENT_STOP + QmpGoldenVectors.STOP_REPLY_ID_3.replace("\"id\": 3", "\"id\": 2")
                + QmpGoldenVectors.EVENT_RESUME);
        stop.get(5, TimeUnit.SECONDS);
        waitUntil(() -> events.size() == 2);
        assertEquals(List.of("STOP", "RESUME"), events);
    }

    @Test
    void outOfOrderRepliesReachTheirCallers() throws Exception {
        client = server.connectClient();
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String command = "cmd-" + i;
            calls.add(async(() -> client.execute(command, LONG)));
            requests.add(server.nextRequest());
        }
        // reply in reverse order, with an event in between each
        for (int i = requests.size() - 1; i >= 0; i--) {
            Request request = requests.get(i);
            server.send(QmpGoldenVectors.EVENT_STOP);
            server.reply(request, "\"" + request.command() + "\"");
        }
        for (int i = 0; i < calls.size(); i++) {
            assertEquals("cmd-" + i, calls.get(i).get(5, TimeUnit.SECONDS).asText());
        }
    }

    @Test
    void manyConcurrentCallersWithShuffledReplies() throws Exception {
        client = server.connectClient();
        int count = 50;
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("n", i);
            calls.add(client.executeAsync("echo", arguments));
        }
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(server.nextRequest("echo"));
        }
        java.util.Collections.shuffle(requests, new java.util.Random(7));
        StringBuilder batch = new StringBuilder();
        for (Request request : requests) {
            batch.append("{\"return\": ").append(request.json().get("arguments").get("n")).append(", \"id\": ")
                    .append(request.id()).append("}\r\n");
        }
        server.send(batch.toString());
        for (int i = 0; i < count; i++) {
            assertEquals(i, calls.get(i).get(5, TimeUnit.SECONDS).asInt());
        }
    }

    @Test
    void errorReplyThrowsAndTheConnectionStaysUsable() throws Exception {
        client = server.connectClient();
        CompletableFuture<JsonNode> call = async(() -> client.execute("nosuch", LONG));
        server.send(QmpGoldenVectors.ERROR_COMMAND_NOT_FOUND.replace("\"id\": 2", "\"id\": "
                + server.nextRequest("nosuch").id()));
        QmpErrorException e = assertInstanceOf(QmpErrorException.class, failureOf(call));
        assertEquals("CommandNotFound", e.errorClass());
        assertEquals("The command nosuch has not been found", e.description());
        assertEquals("nosuch", e.command());

        CompletableFuture<QmpStatus> status = async(client::queryStatus);
        server.reply(server.nextRequest("query-status"), "{\"status\": \"running\", \"singlestep\": false, \"running\": true}");
        assertEquals(new QmpStatus("running", true), status.get(5, TimeUnit.SECONDS));
    }

    @Test
    void errorThrownInTheCallerThreadCarriesTheCallersStack() throws Exception {
        client = server.connectClient();
        CompletableFuture<StackTraceElement[]> call = async(() -> {
            try {
                client.execute("nosuch", LONG);
                return null;
            } catch (QmpErrorException e) {
                return e.getStackTrace();
            }
        });
        server.replyError(server.nextRequest(), "CommandNotFound", "The command nosuch has not been found");
        assertTrue(Arrays.stream(call.get(5, TimeUnit.SECONDS))
                .anyMatch(frame -> frame.getClassName().contains("QmpClientTest")));
    }

    @Test
    void unsolicitedRepliesAreIgnored() throws Exception {
        client = server.connectClient();
        CompletableFuture<JsonNode> call = async(() -> client.execute("query-name", LONG));
        Request request = server.nextRequest("query-name");
        server.send("{\"return\": \"stray\", \"id\": 999}\r\n");
        server.send("{\"return\": \"stray\", \"id\": \"not-ours\"}\r\n");
        server.send(QmpGoldenVectors.QUERY_STATUS_OBJECT_ID);
        server.send(QmpGoldenVectors.CAPABILITIES_REPLY_NO_ID);
        server.send(QmpGoldenVectors.ERROR_JSON_PARSE_NO_ID);
        server.send("{\"unknown\": true}\r\n");
        assertFalse(call.isDone());
        server.reply(request, "{\"name\": \"desk\"}");
        assertEquals("desk", call.get(5, TimeUnit.SECONDS).get("name").asText());
        assertFalse(client.isClosed());
    }

    @Test
    void throwingListenerDoesNotStopOtherListenersOrTheReader() throws Exception {
        client = server.connectClient();
        List<String> seen = new CopyOnWriteArrayList<>();
        client.addEventListener(e -> {
            throw new IllegalStateException("listener bug");
        });
        client.addEventListener(e -> seen.add(e.name()));
        server.send(QmpGoldenVectors.EVENT_STOP);
        server.send(QmpGoldenVectors.EVENT_RESUME);
        waitUntil(() -> seen.size() == 2);
        CompletableFuture<JsonNode> call = async(() -> client.execute("query-name", LONG));
        server.reply(server.nextRequest(), "{}");
        call.get(5, TimeUnit.SECONDS);
        assertFalse(client.isClosed());
    }

    @Test
    void removedListenerGetsNoMoreEvents() throws Exception {
        client = server.connectClient();
        List<String> removed = new CopyOnWriteArrayList<>();
        List<String> kept = new CopyOnWriteArrayList<>();
        Consumer<QmpEvent> listener = e -> removed.add(e.name());
        client.addEventListener(listener);
        client.addEventListener(e -> kept.add(e.name()));
        server.send(QmpGoldenVectors.EVENT_STOP);
        waitUntil(() -> kept.size() == 1);
        client.removeEventListener(listener);
        server.send(QmpGoldenVectors.EVENT_RESUME);
        waitUntil(() -> kept.size() == 2);
        assertEquals(List.of("STOP"), removed);
    }

    @Test
    void blockingCallFromTheReaderThreadIsRefusedButAsyncWorks() throws Exception {
        client = server.connectClient();
        CompletableFuture<Throwable> blocking = new CompletableFuture<>();
        CompletableFuture<JsonNode> fromListener = new CompletableFuture<>();
        client.addEventListener(event -> {
            try {
                client.execute("query-status", LONG);
                blocking.complete(null);
            } catch (RuntimeException e) {
                blocking.complete(e);
            }
            client.executeAsync("query-status", null).whenComplete((r, e) -> {
                if (e != null) {
                    fromListener.completeExceptionally(e);
                } else {
                    fromListener.complete(r);
                }
            });
        });
        server.send(QmpGoldenVectors.EVENT_STOP);
        assertInstanceOf(IllegalStateException.class, blocking.get(5, TimeUnit.SECONDS));
        server.reply(server.nextRequest("query-status"), "{\"status\": \"paused\", \"running\": false}");
        assertEquals("paused", fromListener.get(5, TimeUnit.SECONDS).get("status").asText());
    }

    // ---- timeouts and closing ---------------------------------------------------------------------------------

    @Test
    void commandTimesOutAndALateReplyIsDropped() throws Exception {
        client = server.connectClient();
        long start = System.nanoTime();
        CompletableFuture<JsonNode> call = async(() -> client.execute("query-status", Duration.ofMillis(200)));
        Request late = server.nextRequest("query-status");
        QmpTimeoutException e = assertInstanceOf(QmpTimeoutException.class, failureOf(call));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMillis >= 190 && elapsedMillis < 3000, "took " + elapsedMillis + " ms");
        assertTrue(e.getMessage().contains("'query-status' got no reply within 200 ms"), e.getMessage());

        server.reply(late, "{\"status\": \"running\", \"running\": true}");
        CompletableFuture<JsonNode> next = async(() -> client.execute("query-name", LONG));
        server.reply(server.nextRequest("query-name"), "{\"name\": \"after\"}");
        assertEquals("after", next.get(5, TimeUnit.SECONDS).get("name").asText());
    }

    @Test
    void asyncFutureCanBeTimedOutByTheCaller() throws Exception {
        client = server.connectClient();
        CompletableFuture<JsonNode> call = client.executeAsync("query-status", null).orTimeout(100, TimeUnit.MILLISECONDS);
        server.nextRequest("query-status");
        assertInstanceOf(java.util.concurrent.TimeoutException.class, failureOf(call));
    }

    @Test
    void serverClosingMidCommandFailsThePendingCallFastAndTellsCloseListeners() throws Exception {
        client = server.connectClient();
        CompletableFuture<Throwable> closeCause = new CompletableFuture<>();
        client.addCloseListener(closeCause::complete);
        long start = System.nanoTime();
        CompletableFuture<JsonNode> call = async(() -> client.execute("query-status", LONG));
        server.nextRequest("query-status");
        server.send("{\"return\": {\"status\": \"run"); // half a reply, then QEMU dies
        server.dropConnection();
        Throwable failure = failureOf(call);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertInstanceOf(QmpConnectionClosedException.class, failure);
        assertTrue(elapsedMillis < 2000, "pending call failed after " + elapsedMillis + " ms");
        assertTrue(failure.getMessage().contains("QEMU closed the QMP socket"), failure.getMessage());

        Throwable cause = closeCause.get(5, TimeUnit.SECONDS);
        assertNotNull(cause, "an unexpected close carries a cause");
        assertTrue(client.isClosed());
        // later calls fail at once, sync and async
        assertThrows(QmpConnectionClosedException.class, () -> client.execute("query-status", LONG));
        assertInstanceOf(QmpConnectionClosedException.class, failureOf(client.executeAsync("query-status", null)));
    }

    @Test
    void garbageFromQemuClosesTheConnectionNamingTheProblem() throws Exception {
        client = server.connectClient();
        CompletableFuture<Throwable> closeCause = new CompletableFuture<>();
        client.addCloseListener(closeCause::complete);
        CompletableFuture<JsonNode> call = async(() -> client.execute("query-status", LONG));
        server.nextRequest("query-status");
        server.send("this is not json\r\n");
        QmpConnectionClosedException failure = assertInstanceOf(QmpConnectionClosedException.class, failureOf(call));
        assertTrue(failure.getMessage().contains("malformed JSON from QEMU"), failure.getMessage());
        Throwable cause = closeCause.get(5, TimeUnit.SECONDS);
        assertInstanceOf(QmpException.class, cause);
        assertTrue(cause.getMessage().contains("this is not json"), cause.getMessage());
    }

    @Test
    void oversizedInputClosesTheConnection() throws Exception {
        client = server.connectClient();
        CompletableFuture<Throwable> closeCause = new CompletableFuture<>();
        client.addCloseListener(closeCause::complete);
        CompletableFuture<JsonNode> call = async(() -> client.execute("query-status", LONG));
        server.nextRequest("query-status");
        byte[] huge = new byte[16 * 1024 * 1024 + 1];
        Arrays.fill(huge, (byte) 'a');
        huge[0] = '{';
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                server.send(huge);
            } catch (java.io.IOException e) {
                // the client closes the socket before reading it all
            }
        });
        assertInstanceOf(QmpConnectionClosedException.class, failureOf(call));
        assertTrue(closeCause.get(5, TimeUnit.SECONDS).getMessage().contains("exceeds 16777216 bytes"));
        server.dropConnection();
        sending.get(5, TimeUnit.SECONDS);
    }

    @Test
    void closeIsIdempotentWakesWaitersAndTellsListenersOnce() throws Exception {
        client = server.connectClient();
        AtomicInteger notified = new AtomicInteger();
        BlockingQueue<String> causes = new LinkedBlockingQueue<>();
        client.addCloseListener(cause -> {
            notified.incrementAndGet();
            causes.add(String.valueOf(cause));
        });
        CompletableFuture<JsonNode> waiting = async(() -> client.execute("query-status", LONG));
        server.nextRequest("query-status");
        CountDownLatch closers = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread closer = new Thread(() -> {
                awaitQuietly(closers);
                client.close();
            });
            closer.start();
            threads.add(closer);
        }
        closers.countDown();
        for (Thread thread : threads) {
            thread.join(5000);
        }
        client.close();
        assertInstanceOf(QmpConnectionClosedException.class, failureOf(waiting));
        assertEquals(1, notified.get());
        assertEquals("null", causes.poll(), "close() is an expected close: null cause");
        // a listener added after the close hears about it at once
        CompletableFuture<Throwable> late = new CompletableFuture<>();
        client.addCloseListener(late::complete);
        assertNull(late.getNow(new IllegalStateException("not called")));
    }

    // ---- quit ---------------------------------------------------------------------------------------------------

    @Test
    void quitReturnsWhenQemuRepliesAndCloses() throws Exception {
        client = server.connectClient();
        CompletableFuture<Throwable> closeCause = new CompletableFuture<>();
        client.addCloseListener(closeCause::complete);
        CompletableFuture<Void> quit = CompletableFuture.runAsync(client::quit);
        Request request = server.nextRequest("quit");
        server.send(QmpGoldenVectors.EVENT_SHUTDOWN + "{\"return\": {}, \"id\": " + request.id() + "}\r\n");
        server.dropConnection();
        quit.get(5, TimeUnit.SECONDS);
        assertTrue(client.isClosed());
        assertNull(closeCause.get(5, TimeUnit.SECONDS), "exit after quit is expected: null cause");
    }

    @Test
    void quitToleratesQemuClosingWithoutAReply() throws Exception {
        client = server.connectClient();
        CompletableFuture<Void> quit = CompletableFuture.runAsync(client::quit);
        server.nextRequest("quit");
        server.dropConnection();
        quit.get(5, TimeUnit.SECONDS);
        assertTrue(client.isClosed());
    }

    // ---- typed helpers ------------------------------------------------------------------------------------------

    @Test
    void typedHelpersSendQapiArgumentsAndDecodeReplies() throws Exception {
        client = server.connectClient();

        CompletableFuture<ReplayInfo> replay = async(client::queryReplay);
        server.send(QmpGoldenVectors.QUERY_REPLAY_RECORD.replace("\"id\": 1", "\"id\": "
                + server.nextRequest("query-replay").id()));
        assertEquals(new ReplayInfo("record", "/tmp/qcap/rr.bin", 0), replay.get(5, TimeUnit.SECONDS));

        Path png = tempDir.resolve("screen.png");
        CompletableFuture<Void> dump = CompletableFuture.runAsync(() -> client.screendump(png, "png"));
        Request screendump = server.nextRequest("screendump");
        assertEquals("{\"filename\":\"" + png + "\",\"format\":\"png\"}", screendump.json().get("arguments").toString());
        server.reply(screendump, "{}");
        dump.get(5, TimeUnit.SECONDS);
        assertThrows(IllegalArgumentException.class, () -> client.screendump(png, "jpeg"));

        CompletableFuture<Void> input = CompletableFuture.runAsync(() -> client.inputSendEvents(List.of(
                InputEvent.key("a", true), InputEvent.key("a", false), InputEvent.absMove("x", 100),
                InputEvent.button("left", true))));
        Request send = server.nextRequest("input-send-event");
        assertEquals("{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}},"
                + "{\"type\":\"key\",\"data\":{\"down\":false,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}},"
                + "{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":100}},"
                + "{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"left\"}}]}",
                send.json().get("arguments").toString());
        server.reply(send, "{}");
        input.get(5, TimeUnit.SECONDS);

        CompletableFuture<Void> breakpoint = CompletableFuture.runAsync(() -> client.replayBreak(13_790_000_000L));
        Request replayBreak = server.nextRequest("replay-break");
        assertEquals(13_790_000_000L, replayBreak.json().get("arguments").get("icount").asLong());
        server.reply(replayBreak, "{}");
        breakpoint.get(5, TimeUnit.SECONDS);

        CompletableFuture<Void> deleteBreak = CompletableFuture.runAsync(client::replayDeleteBreak);
        Request delete = server.nextRequest("replay-delete-break");
        assertNull(delete.json().get("arguments"));
        server.reply(delete, "{}");
        deleteBreak.get(5, TimeUnit.SECONDS);

        CompletableFuture<Void> cont = CompletableFuture.runAsync(client::cont);
        server.reply(server.nextRequest("cont"), "{}");
        cont.get(5, TimeUnit.SECONDS);
    }

    @Test
    void listSnapshotsParsesHmpOutput() throws Exception {
        client = server.connectClient();
        CompletableFuture<List<SnapshotInfo>> list = async(client::listSnapshots);
        Request request = server.nextRequest("human-monitor-command");
        assertEquals("info snapshots", request.json().get("arguments").get("command-line").asText());
        server.send(QmpGoldenVectors.HMP_SNAPSHOTS_PLAIN_ID_7.replace("\"id\": 7", "\"id\": " + request.id()));
        List<SnapshotInfo> snapshots = list.get(5, TimeUnit.SECONDS);
        assertEquals(List.of("s1", "s2"), snapshots.stream().map(SnapshotInfo::tag).toList());
    }

    // ---- savevm / loadvm / delvm ------------------------------------------------------------------------------

    private void answerHmp(Request request, String text) throws Exception {
        server.reply(request, JsonNodeFactory.instance.textNode(text).toString());
    }

    @Test
    void savevmRetriesWhileRecordReplayRefuses() throws Exception {
        client = server.connectClient();
        CompletableFuture<SavevmResult> save = async(() -> client.savevm("s1", Duration.ofSeconds(5)));
        List<Request> attempts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Request request = server.nextRequest("human-monitor-command");
            assertEquals("savevm s1", request.json().get("arguments").get("command-line").asText());
            attempts.add(request);
            if (i < 2) {
                answerHmp(request, QmpGoldenVectors.HMP_SAVEVM_REFUSED_TEXT);
            } else {
                Thread.sleep(50); // the successful attempt takes a while: that is the stall
                server.send(QmpGoldenVectors.EVENT_STOP + QmpGoldenVectors.EVENT_RESUME);
                answerHmp(request, "");
            }
        }
        SavevmResult result = save.get(5, TimeUnit.SECONDS);
        assertEquals("s1", result.tag());
        assertEquals(3, result.attempts());
        assertTrue(result.stall().toMillis() >= 45, "stall " + result.stall());
        assertTrue(result.total().compareTo(result.stall()) > 0, "total " + result.total() + " > stall");
        for (int i = 1; i < attempts.size(); i++) {
            long gapMicros = (attempts.get(i).receivedNanos() - attempts.get(i - 1).receivedNanos()) / 1000;
            assertTrue(gapMicros >= 3000, "retry " + i + " came after " + gapMicros + " µs, want >= 3 ms");
        }
    }

    @Test
    void savevmStoppedStopsSavesRunsTheHookAndContinuesAndRetriesRefusalsRunning() throws Exception {
        client = server.connectClient();
        List<String> hookSaw = new ArrayList<>();
        CompletableFuture<SavevmResult> save = async(() -> client.savevmStopped("s1", Duration.ofSeconds(5),
                () -> hookSaw.add("copied")));
        server.reply(server.nextRequest("query-status"), RUNNING_STATUS);
        // refused: the guest must run again before the next try, and the hook must not run
        server.reply(server.nextRequest("stop"), "{}");
        answerHmp(server.nextRequest("human-monitor-command"), QmpGoldenVectors.HMP_SAVEVM_REFUSED_TEXT);
        server.reply(server.nextRequest("cont"), "{}");
        assertEquals(List.of(), hookSaw);
        server.reply(server.nextRequest("stop"), "{}");
        Request saved = server.nextRequest("human-monitor-command");
        assertEquals("savevm s1", saved.json().get("arguments").get("command-line").asText());
        answerHmp(saved, "");
        Request cont = server.nextRequest("cont");
        assertEquals(List.of("copied"), hookSaw, "the hook ran before cont");
        server.reply(cont, "{}");
        SavevmResult result = save.get(5, TimeUnit.SECONDS);
        assertEquals(2, result.attempts());
    }

    @Test
    void savevmStoppedContinuesTheGuestWhenTheHookFails() throws Exception {
        client = server.connectClient();
        CompletableFuture<SavevmResult> save = async(() -> client.savevmStopped("s1", Duration.ofSeconds(5), () -> {
            throw new IllegalStateException("disk full");
        }));
        server.reply(server.nextRequest("query-status"), RUNNING_STATUS);
        server.reply(server.nextRequest("stop"), "{}");
        answerHmp(server.nextRequest("human-monitor-command"), "");
        server.reply(server.nextRequest("cont"), "{}");
        Throwable failure = failureOf(save);
        assertTrue(failure.getMessage().contains("disk full"), failure.toString());
    }

    /** QEMU 7.2's answer to query-status for a running and a paused guest. */
    private static final String RUNNING_STATUS = "{\"status\":\"running\",\"singlestep\":false,\"running\":true}";
    private static final String PAUSED_STATUS = "{\"status\":\"paused\",\"singlestep\":false,\"running\":false}";

    @Test
    void savevmStoppedLeavesAGuestSomebodyPausedPaused() throws Exception {
        client = server.connectClient();
        List<String> hookSaw = new ArrayList<>();
        CompletableFuture<SavevmResult> save = async(() -> client.savevmStopped("s1", Duration.ofSeconds(5),
                () -> hookSaw.add("copied")));
        server.reply(server.nextRequest("query-status"), PAUSED_STATUS);
        // no stop: straight to savevm, and no cont after the hook
        Request saved = server.nextRequest("human-monitor-command");
        assertEquals("savevm s1", saved.json().get("arguments").get("command-line").asText());
        answerHmp(saved, "");
        assertEquals(1, save.get(5, TimeUnit.SECONDS).attempts());
        assertEquals(List.of("copied"), hookSaw);
        assertNull(server.nextRequestOrNull(), "nothing after savevm: the guest stays paused");
    }

    @Test
    void savevmStoppedOfAPausedGuestFailsAtOnceWhenRefused() throws Exception {
        client = server.connectClient();
        CompletableFuture<SavevmResult> save = async(() -> client.savevmStopped("s1", Duration.ofSeconds(5),
                () -> fail("the hook ran after a refusal")));
        server.reply(server.nextRequest("query-status"), PAUSED_STATUS);
        answerHmp(server.nextRequest("human-monitor-command"), QmpGoldenVectors.HMP_SAVEVM_REFUSED_TEXT);
        QmpException e = assertInstanceOf(QmpException.class, failureOf(save));
        assertTrue(e.getMessage().contains("paused with record/replay events queued"), e.getMessage());
        assertNull(server.nextRequestOrNull(), "no retry and no cont");
    }

    @Test
    void setMigrationCapabilitySendsQemusShape() throws Exception {
        client = server.connectClient();
        CompletableFuture<Void> set = async(() -> {
            client.setMigrationCapability("x-ignore-shared", true);
            return null;
        });
        Request request = server.nextRequest("migrate-set-capabilities");
        assertEquals("{\"capabilities\":[{\"capability\":\"x-ignore-shared\",\"state\":true}]}",
                request.json().get("arguments").toString());
        server.reply(request, "{}");
        set.get(5, TimeUnit.SECONDS);
    }

    @Test
    void savevmGivesUpAfterRetryFor() throws Exception {
        client = server.connectClient();
        AtomicInteger answered = new AtomicInteger();
        CompletableFuture<SavevmResult> save = async(() -> client.savevm("s1", Duration.ofMillis(60)));
        while (!save.isDone()) {
            Request request = server.nextRequestOrNull();
            if (request != null) {
                answerHmp(request, QmpGoldenVectors.HMP_SAVEVM_REFUSED_TEXT);
                answered.incrementAndGet();
            }
        }
        QmpException e = assertInstanceOf(QmpException.class, failureOf(save));
        assertTrue(e.getMessage().contains("savevm s1"), e.getMessage());
        assertTrue(e.getMessage().contains("QEMU refused " + answered.get() + " time(s)"), e.getMessage());
        assertTrue(e.getMessage().contains("Record/replay does not allow making snapshot right now"), e.getMessage());
        assertTrue(answered.get() >= 2, "retried " + answered.get() + " times in 60 ms");
    }

    @Test
    void savevmOtherErrorTextFailsAtOnceWithQemusText() throws Exception {
        client = server.connectClient();
        CompletableFuture<SavevmResult> save = async(() -> client.savevm("s1", Duration.ofSeconds(5)));
        server.send(QmpGoldenVectors.HMP_SAVEVM_NO_DISK_ID_8.replace("\"id\": 8", "\"id\": "
                + server.nextRequest("human-monitor-command").id()));
        QmpException e = assertInstanceOf(QmpException.class, failureOf(save));
        assertTrue(e.getMessage().endsWith("failed: Error: no block device can store vmstate for snapshot"),
                e.getMessage());
    }

    @Test
    void loadvmAndDelvmReportQemusErrorText() throws Exception {
        client = server.connectClient();
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> client.loadvm("nosuch"));
        Request request = server.nextRequest("human-monitor-command");
        assertEquals("loadvm nosuch", request.json().get("arguments").get("command-line").asText());
        server.send(QmpGoldenVectors.EVENT_STOP + QmpGoldenVectors.HMP_LOADVM_MISSING_ID_9.replace("\"id\": 9",
                "\"id\": " + request.id()));
        Throwable failure = failureOf(load);
        assertTrue(failure.getMessage().contains("Snapshot 'nosuch' does not exist"), failure.getMessage());

        CompletableFuture<Void> delete = CompletableFuture.runAsync(() -> client.delvm("s1"));
        Request deleteRequest = server.nextRequest("human-monitor-command");
        assertEquals("delvm s1", deleteRequest.json().get("arguments").get("command-line").asText());
        answerHmp(deleteRequest, "");
        delete.get(5, TimeUnit.SECONDS);
    }

    @Test
    void snapshotTagsThatHmpWouldSplitAreRejected() throws Exception {
        client = server.connectClient();
        assertThrows(IllegalArgumentException.class, () -> client.savevm("two words", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> client.loadvm(""));
        assertThrows(IllegalArgumentException.class, () -> client.delvm("a\"b"));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(5);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
