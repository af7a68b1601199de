package org.replaydesk.replay.internal.fuse;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The rdfuse end of a control connection, played by a test over a real unix socket: it reads exactly the bytes a
 * test expects and writes whatever replies the test wants, including broken ones. A test double for unit tests;
 * the real helper is exercised by {@link RdfuseRealHelperTest}.
 */
final class FakeRdfusePeer implements AutoCloseable {
    final SocketChannel peer;
    final RdfuseProcess rdfuse;

    FakeRdfusePeer(Path dir, Duration timeout) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        Path socket = dir.resolve("fake.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
            client.connect(UnixDomainSocketAddress.of(socket));
            peer = server.accept();
            rdfuse = RdfuseProcess.overChannel(client, dir.resolve("mnt"), timeout);
        }
    }

    /** Reads exactly n bytes (what the Java side wrote). */
    byte[] read(int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (peer.read(buffer) < 0) {
                throw new IOException("closed after " + buffer.position() + " of " + n + " bytes");
            }
        }
        return buffer.array();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            peer.write(buffer);
        }
    }

    @Override
    public void close() throws IOException {
        peer.close();             // first: a QUIT nobody answers would wait for the timeout
        rdfuse.close();
    }
}
