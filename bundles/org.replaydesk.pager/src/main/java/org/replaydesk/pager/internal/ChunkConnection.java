package org.replaydesk.pager.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.Manifest;

/**
 * A client's connection to a {@link ChunkServer}. Requests may overlap (a read waits for its chunks while read-ahead
 * requests are in flight): the server answers in request order, so each request joins a FIFO when it is written and
 * the replies complete the request at its head. A reply that does not fit the head request is a protocol error that
 * fails every pending request and closes the connection.
 *
 * <p>The client offers protocol version 4, which lets the server send chunks deflated (COMPRESSED-CHUNK, since 2),
 * format 2 manifests (variable chunks, since 3) and the VM counters in SESSION-STATUS-REPLY (since 4). An older
 * server refuses that with a fixed reason ("... this server speaks version 1", or "... versions 1 to 3"); {@link
 * #open} then connects again offering the version it names, so new clients keep working with old servers (which have
 * fixed chunks only before 3, and report no VM counters before 4).
 */
final class ChunkConnection implements AutoCloseable {

    private final InetSocketAddress server;
    private final Duration timeout;
    private final Channel channel;
    /** Requests written and not yet answered, oldest first; guarded by itself. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private String endReason;
    private int maxBatch;
    private volatile int version;
    /** Bytes of the CHUNK and COMPRESSED-CHUNK frames received: what the chunks cost the network. */
    private final java.util.concurrent.atomic.AtomicLong chunkWireBytes = new java.util.concurrent.atomic.AtomicLong();
    /** The refusal of a server that speaks an older version, as servers word it since version 1. */
    private static final java.util.regex.Pattern OLDER_SERVER = java.util.regex.Pattern.compile(
            "protocol version \\d+ is not supported; this server speaks (?:version|versions 1 to) (\\d+)");

    /** One request awaiting its replies. */
    private static final class Pending {
        final List<ChunkHash> hashes;
        final Map<ChunkHash, byte[]> chunks = new HashMap<>();
        final CompletableFuture<Object> done = new CompletableFuture<>();
        final String what;
        int received;

        Pending(List<ChunkHash> hashes, String what) {
            this.hashes = hashes;
            this.what = what;
        }
    }

    /** Thrown by the constructor when the server refused the offered version but speaks {@code version}. */
    private static final class OlderServer extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int version;

        OlderServer(int version) {
            super(null, null, false, false);
            this.version = version;
        }
    }

    /**
     * Connects and says HELLO with the newest version, falling back to an older one the server names when it refuses
     * the newest (a server from before version 2).
     *
     * @param server the chunk server
     * @param token the shared token (empty: none)
     * @param tls TLS context or null
     * @param group event loops
     * @param timeout longest wait for the connection and for each reply
     * @return the connection, welcomed
     * @throws ReplayDeskException (UNAVAILABLE) when the server cannot be reached or refuses, with its reason
     */
    static ChunkConnection open(InetSocketAddress server, String token, SslContext tls, EventLoopGroup group,
            Duration timeout) {
        try {
            return new ChunkConnection(server, token, tls, group, timeout, PagerMessage.VERSION);
        } catch (OlderServer older) {
            return new ChunkConnection(server, token, tls, group, timeout, older.version);
        }
    }

    /**
     * Connects and says HELLO offering one version.
     *
     * @param offered the protocol version to offer (tests offer 1 to act as a client from before version 2)
     * @throws OlderServer when the server refused {@code offered} and names an older version it speaks
     * @see #open
     */
    ChunkConnection(InetSocketAddress server, String token, SslContext tls, EventLoopGroup group, Duration timeout,
            int offered) {
        this.server = server;
        this.timeout = timeout;
        try {
            channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), server.getHostString(),
                                        server.getPort()));
                            }
                            ch.pipeline().addLast("decoder", PagerFrameDecoder.forClient());
                            ch.pipeline().addLast("encoder", PagerFrameEncoder.INSTANCE);
                            ch.pipeline().addLast("replies", new Replies());
                        }
                    }).connect(server).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplayDeskException.unavailable("interrupted while connecting to chunk server " + server);
        } catch (RuntimeException e) {
            throw ReplayDeskException.unavailable("cannot connect to chunk server " + server + ": " + e);
        }
        Object reply = await(send(new PagerMessage.Hello(offered, token), null,
                "the answer to HELLO" + (tls == null
                        ? "; is it a pager server, and does it expect TLS (client.tls.trust)?" : "")));
        if (reply instanceof PagerMessage.Welcome w) {
            if (w.version() < PagerMessage.VERSION_1 || w.version() > offered) {
                close();
                throw ReplayDeskException.failed("chunk server " + server + " welcomed us with protocol version "
                        + w.version() + "; we offered " + offered, null);
            }
            version = w.version();
            maxBatch = Math.max(1, Math.min(w.maxBatch(), PagerMessage.MAX_BATCH));
        } else if (reply instanceof PagerMessage.Refused r) {
            close();
            java.util.regex.Matcher older = OLDER_SERVER.matcher(r.reason());
            if (older.matches()) {
                int spoken = Integer.parseInt(older.group(1));
                if (spoken >= PagerMessage.VERSION_1 && spoken < offered) {
                    throw new OlderServer(spoken);
                }
            }
            throw ReplayDeskException.unavailable("chunk server " + server + " refused the connection: "
                    + r.reason());
        } else {
            close();
            throw ReplayDeskException.failed("chunk server " + server + " answered HELLO with " + reply
                    + " instead of WELCOME or REFUSED", null);
        }
    }

    /** @return the protocol version the server welcomed us with */
    int version() {
        return version;
    }

    /** @return bytes of the chunk frames received so far (compressed ones at their compressed size) */
    long chunkWireBytes() {
        return chunkWireBytes.get();
    }

    /** @return the most hashes the server takes in one GET */
    int maxBatch() {
        return maxBatch;
    }

    /**
     * @param imageId the image
     * @return its manifest
     */
    Manifest manifest(String imageId) {
        Object reply = await(send(new PagerMessage.ManifestRequest(imageId), null, "the manifest of " + imageId));
        if (reply instanceof PagerMessage.ManifestReply m) {
            Manifest manifest = Manifest.fromJson(m.json());
            if (manifest.format() != Manifest.FORMAT_FIXED && version < PagerMessage.VERSION_VARIABLE_CHUNKS) {
                throw ReplayDeskException.failed("chunk server " + server + " sent a format " + manifest.format()
                        + " manifest of " + imageId + " on a protocol version " + version + " connection", null);
            }
            if (!manifest.imageId().equals(imageId)) {
                throw ReplayDeskException.failed("chunk server " + server + " answered the manifest of "
                        + manifest.imageId() + " when asked for " + imageId, null);
            }
            return manifest;
        }
        if (!(reply instanceof PagerMessage.Error e)) {
            close();
            throw ReplayDeskException.failed("chunk server " + server + " answered a manifest request with " + reply,
                    null);
        }
        throw new ReplayDeskException(e.code() == PagerMessage.ErrorCode.NO_SUCH_IMAGE ? Status.NOT_FOUND
                : Status.FAILED, "chunk server " + server + ": " + e.message());
    }

    /**
     * Sends a session request and waits for its reply. The caller must not overlap it with other requests on this
     * connection (a session client keeps a connection of its own).
     *
     * @param request a SESSION-SNAPSHOT or SESSION-STATUS
     * @param expected the reply's type
     * @param wait longest wait for the reply (a snapshot takes longer than a chunk)
     * @return the reply
     * @throws ReplayDeskException with the server's error, or UNAVAILABLE when the server speaks version 1
     */
    <T extends PagerMessage> T session(PagerMessage request, Class<T> expected, Duration wait) {
        if (version < 2) {
            throw ReplayDeskException.unavailable("chunk server " + server + " speaks pager protocol version "
                    + version + ": it serves no sessions (update the server host)");
        }
        Object reply = await(send(request, null, "the answer to " + request), wait);
        if (expected.isInstance(reply)) {
            return expected.cast(reply);
        }
        if (reply instanceof PagerMessage.Error e) {
            throw SessionRequests.failure(server.toString(), e);
        }
        close();
        throw ReplayDeskException.failed("chunk server " + server + " answered " + request + " with " + reply, null);
    }

    /**
     * Sends a GET without waiting.
     *
     * @param hashes at most {@link #maxBatch()} hashes
     * @return completes with each hash's bytes as received (not verified), or null for a hash the server lacks; fails
     *     with a {@link ReplayDeskException} when the connection ends or breaks the protocol
     */
    @SuppressWarnings("unchecked")
    CompletableFuture<Map<ChunkHash, byte[]>> getAsync(List<ChunkHash> hashes) {
        return send(new PagerMessage.Get(hashes), hashes, hashes.size() + " chunks")
                .thenApply(result -> (Map<ChunkHash, byte[]>) result);
    }

    /** Blocking {@link #getAsync}. */
    Map<ChunkHash, byte[]> get(List<ChunkHash> hashes) {
        return await(getAsync(hashes));
    }

    /** Tests: sends any message as a request that expects one reply, bypassing the version check. */
    CompletableFuture<Object> sendForTest(PagerMessage request) {
        return send(request, null, "the answer to " + request);
    }

    private CompletableFuture<Object> send(PagerMessage request, List<ChunkHash> hashes, String what) {
        Pending p = new Pending(hashes, what);
        synchronized (pending) {
            if (endReason != null) {
                p.done.completeExceptionally(ended(what));
                return p.done;
            }
            // Queue and write under one lock, so the FIFO order is the order on the wire.
            pending.add(p);
            channel.writeAndFlush(request);
        }
        return p.done;
    }

    /** Waits for a reply; a timeout closes the connection, since the replies' order can no longer be trusted. */
    <T> T await(CompletableFuture<T> future) {
        return await(future, timeout);
    }

    private <T> T await(CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplayDeskException.unavailable("interrupted while waiting for chunk server " + server);
        } catch (TimeoutException e) {
            end("no reply for " + timeout.toSeconds() + " s");
            throw new ReplayDeskException(Status.TIMEOUT, "chunk server " + server + " sent nothing for "
                    + timeout.toSeconds() + " s while we waited for a reply");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ReplayDeskException r) {
                throw r;
            }
            throw ReplayDeskException.failed("chunk server " + server + ": " + e.getCause(), e.getCause());
        }
    }

    private ReplayDeskException ended(String what) {
        return ReplayDeskException.unavailable("chunk server " + server + ": " + endReason + " (while we waited for "
                + what + ")");
    }

    /** Fails every pending request with the reason and closes. */
    private void end(String reason) {
        List<Pending> failed;
        synchronized (pending) {
            if (endReason == null) {
                endReason = reason;
            }
            failed = List.copyOf(pending);
            pending.clear();
        }
        for (Pending p : failed) {
            p.done.completeExceptionally(ended(p.what));
        }
        channel.close();
    }

    @Override
    public void close() {
        end("the connection was closed");
    }

    /** Runs on the event loop: matches each reply to the oldest pending request. */
    private final class Replies extends SimpleChannelInboundHandler<PagerMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, PagerMessage message) {
            Pending head;
            synchronized (pending) {
                head = pending.peek();
            }
            if (head == null) {
                end("sent " + message + " that nobody asked for");
                return;
            }
            boolean complete;
            if (head.hashes == null) {
                boolean fits = message instanceof PagerMessage.Welcome || message instanceof PagerMessage.Refused
                        || message instanceof PagerMessage.ManifestReply || message instanceof PagerMessage.Error
                        || message instanceof PagerMessage.SessionSnapshotReply
                        || message instanceof PagerMessage.SessionStatusReply;
                if (!fits) {
                    end("sent " + message + " where the answer to " + head.what + " was due");
                    return;
                }
                if (message instanceof PagerMessage.SessionStatusReply s
                        && s.hasVmCounters() != (version >= PagerMessage.VERSION_VM_COUNTERS)) {
                    // The form belongs to the version: a server that mixes them up cannot be trusted with the rest.
                    end("sent SESSION-STATUS-REPLY " + (s.hasVmCounters() ? "with" : "without")
                            + " the VM counters on a protocol version " + version + " connection");
                    return;
                }
                complete = true;
            } else {
                ChunkHash expected = head.hashes.get(head.received);
                if (message instanceof PagerMessage.Chunk c && c.hash().equals(expected)) {
                    chunkWireBytes.addAndGet(c.wireLength());
                    head.chunks.put(expected, c.data());
                } else if (message instanceof PagerMessage.CompressedChunk c && c.hash().equals(expected)) {
                    if (version < 2) {
                        end("sent COMPRESSED-CHUNK on a protocol version " + version + " connection");
                        return;
                    }
                    chunkWireBytes.addAndGet(c.wireLength());
                    head.chunks.put(expected, c.data());
                } else if (message instanceof PagerMessage.Missing m && m.hash().equals(expected)) {
                    head.chunks.put(expected, null);
                } else if (message instanceof PagerMessage.Error e) {
                    end("reported an error: " + e.message());
                    return;
                } else {
                    end("sent " + message + " where CHUNK or MISSING for " + expected + " was due");
                    return;
                }
                complete = ++head.received == head.hashes.size();
            }
            if (complete) {
                synchronized (pending) {
                    pending.poll();
                }
                head.done.complete(head.hashes == null ? message : head.chunks);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end("the server closed the connection");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end(cause instanceof PagerProtocolException ? "protocol error: " + cause.getMessage() : cause.toString());
        }
    }
}
