package org.replaydesk.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.replaydesk.qmp.internal.QmpCodec;
import org.replaydesk.qmp.internal.QmpGoldenVectors;

/**
 * A scripted QMP server on a real unix socket: the test thread plays QEMU, writing whatever bytes the case
 * needs (fragmented, batched, malformed) and reading the client's requests, which arrive as concatenated
 * JSON objects without separators.
 */
final class FakeQmpServer implements AutoCloseable {

    /** A request as received, with the time it arrived. */
    record Request(ObjectNode json, long receivedNanos) {
        String command() {
            return json.path("execute").asText();
        }

        long id() {
            return json.path("id").asLong();
        }
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private volatile SocketChannel connection;

    FakeQmpServer(Path directory) throws IOException {
        this.path = directory.resolve("qmp.sock");
        Files.deleteIfExists(path);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
    }

    Path path() {
        return path;
    }

    /** Waits for the client and starts collecting its requests. */
    void accept() throws IOException {
        connection = server.accept();
        Thread collector = new Thread(this::collectRequests, "fake-qmp-server-reader");
        collector.setDaemon(true);
        collector.start();
    }

    /**
     * Connects a client in the background and plays a plain handshake: greeting, then the reply to
     * {@code qmp_capabilities}.
     */
    QmpClient connectClient() throws Exception {
        CompletableFuture<QmpClient> client = CompletableFuture.supplyAsync(
                () -> QmpClient.connect(path, Duration.ofSeconds(5)));
        accept();
        send(QmpGoldenVectors.GREETING);
        Request capabilities = nextRequest();
        assertEquals("qmp_capabilities", capabilities.command());
        reply(capabilities, "{}");
        return client.get(5, TimeUnit.SECONDS);
    }

    void send(String raw) throws IOException {
        send(raw.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] raw) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(raw);
        while (buffer.hasRemaining()) {
            connection.write(buffer);
        }
    }

    /** One write per byte, with a pause so that the client really sees them one by one. */
    void sendByteAtATime(String raw) throws IOException {
        for (byte b : raw.getBytes(StandardCharsets.UTF_8)) {
            connection.write(ByteBuffer.wrap(new byte[] {b}));
            LockSupport.parkNanos(20_000);
        }
    }

    /** Replies with QEMU's member order and spacing: {@code {"return": R, "id": N}}. */
    void reply(Request request, String returnJson) throws IOException {
        send("{\"return\": " + returnJson + ", \"id\": " + request.id() + "}\r\n");
    }

    /** Error reply as QEMU writes it: id first. */
    void replyError(Request request, String errorClass, String description) throws IOException {
        send("{\"id\": " + request.id() + ", \"error\": {\"class\": \"" + errorClass + "\", \"desc\": \"" + description
                + "\"}}\r\n");
    }

    Request nextRequest() throws InterruptedException {
        Request request = requests.poll(5, TimeUnit.SECONDS);
        assertNotNull(request, "the client sent no request within 5 s");
        return request;
    }

    /** A request if one arrives within 10 ms, else {@code null}. */
    Request nextRequestOrNull() throws InterruptedException {
        return requests.poll(10, TimeUnit.MILLISECONDS);
    }

    Request nextRequest(String expectedCommand) throws InterruptedException {
        Request request = nextRequest();
        assertEquals(expectedCommand, request.command());
        return request;
    }

    /** Everything the client wrote so far, as text. */
    String receivedText() {
        synchronized (received) {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    /** Closes the accepted connection, as QEMU does when it exits. */
    void dropConnection() throws IOException {
        connection.close();
    }

    @Override
    public void close() throws IOException {
        SocketChannel current = connection;
        if (current != null) {
            current.close();
        }
        server.close();
        Files.deleteIfExists(path);
    }

    private void collectRequests() {
        InputStream raw = Channels.newInputStream(connection);
        InputStream recording = new InputStream() {
            @Override
            public int read() throws IOException {
                int b = raw.read();
                if (b >= 0) {
                    synchronized (received) {
                        received.write(b);
                    }
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = raw.read(buffer, offset, length);
                if (n > 0) {
                    synchronized (received) {
                        received.write(buffer, offset, n);
                    }
                }
                return n;
            }
        };
        try (JsonParser parser = QmpCodec.MAPPER.getFactory().createParser(recording);
                MappingIterator<ObjectNode> values = QmpCodec.MAPPER.readValues(parser, ObjectNode.class)) {
            while (values.hasNextValue()) {
                requests.add(new Request(values.nextValue(), System.nanoTime()));
            }
        } catch (IOException | RuntimeException e) {
            // connection closed by the test or the client
        }
    }
}
