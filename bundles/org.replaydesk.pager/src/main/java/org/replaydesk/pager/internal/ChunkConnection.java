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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.Manifest;

/**
 * A client's connection to a {@link ChunkServer}, with blocking calls. Calls are serialised; each sends one request
 * and takes its replies, which the server sends in request order, from a queue the event loop fills. Only requested
 * replies arrive, so the queue is bounded by the caller's batch.
 */
final class ChunkConnection implements AutoCloseable {

    /** Marks the end of the connection in the reply queue; {@link #endReason} says why. */
    private static final Object CLOSED = new Object();

    private final InetSocketAddress server;
    private final Duration timeout;
    private final Channel channel;
    private final BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
    private volatile String endReason = "the server closed the connection";
    private int maxBatch;

    /**
     * Connects and says HELLO.
     *
     * @param server the chunk server
     * @param token the shared token (empty: none)
     * @param tls TLS context or null
     * @param group event loops
     * @param timeout longest wait for the connection and for each reply
     * @throws ReplayDeskException (UNAVAILABLE) when the server cannot be reached or refuses, with its reason
     */
    ChunkConnection(InetSocketAddress server, String token, SslContext tls, EventLoopGroup group, Duration timeout) {
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
        channel.writeAndFlush(new PagerMessage.Hello(PagerMessage.VERSION, token));
        Object reply = next("the answer to HELLO" + (tls == null
                ? "; is it a pager server, and does it expect TLS (client.tls.trust)?" : ""));
        if (reply instanceof PagerMessage.Welcome w) {
            maxBatch = Math.max(1, Math.min(w.maxBatch(), PagerMessage.MAX_BATCH));
        } else if (reply instanceof PagerMessage.Refused r) {
            close();
            throw ReplayDeskException.unavailable("chunk server " + server + " refused the connection: "
                    + r.reason());
        } else {
            close();
            throw unexpected(reply, "WELCOME or REFUSED");
        }
    }

    /** @return the most hashes the server takes in one GET */
    int maxBatch() {
        return maxBatch;
    }

    /**
     * @param imageId the image
     * @return its manifest
     */
    synchronized Manifest manifest(String imageId) {
        channel.writeAndFlush(new PagerMessage.ManifestRequest(imageId));
        Object reply = next("the manifest of " + imageId);
        if (reply instanceof PagerMessage.ManifestReply m) {
            Manifest manifest = Manifest.fromJson(m.json());
            if (!manifest.imageId().equals(imageId)) {
                throw ReplayDeskException.failed("chunk server " + server + " answered the manifest of "
                        + manifest.imageId() + " when asked for " + imageId, null);
            }
            return manifest;
        }
        if (reply instanceof PagerMessage.Error e) {
            throw new ReplayDeskException(e.code() == PagerMessage.ErrorCode.NO_SUCH_IMAGE ? Status.NOT_FOUND
                    : Status.FAILED, "chunk server " + server + ": " + e.message());
        }
        throw unexpected(reply, "MANIFEST or ERROR");
    }

    /**
     * @param hashes at most {@link #maxBatch()} hashes
     * @return each hash's bytes as received (not verified), or null when the server has no such chunk
     */
    synchronized Map<ChunkHash, byte[]> get(List<ChunkHash> hashes) {
        channel.writeAndFlush(new PagerMessage.Get(hashes));
        Map<ChunkHash, byte[]> result = new HashMap<>();
        for (ChunkHash expected : hashes) {
            Object reply = next("chunk " + expected);
            if (reply instanceof PagerMessage.Chunk c && c.hash().equals(expected)) {
                result.put(expected, c.data());
            } else if (reply instanceof PagerMessage.Missing m && m.hash().equals(expected)) {
                result.put(expected, null);
            } else {
                throw unexpected(reply, "CHUNK or MISSING for " + expected);
            }
        }
        return result;
    }

    private Object next(String waitingFor) {
        Object reply;
        try {
            reply = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplayDeskException.unavailable("interrupted while waiting for " + waitingFor + " from chunk "
                    + "server " + server);
        }
        if (reply == null) {
            close();
            throw new ReplayDeskException(Status.TIMEOUT, "chunk server " + server + " sent nothing for "
                    + timeout.toSeconds() + " s while we waited for " + waitingFor);
        }
        if (reply == CLOSED) {
            replies.add(CLOSED);
            throw ReplayDeskException.unavailable("chunk server " + server + ": " + endReason + " (while we waited "
                    + "for " + waitingFor + ")");
        }
        return reply;
    }

    private ReplayDeskException unexpected(Object reply, String expected) {
        close();
        if (reply instanceof PagerMessage.Error e) {
            return ReplayDeskException.failed("chunk server " + server + " reported an error: " + e.message(), null);
        }
        return ReplayDeskException.failed("chunk server " + server + " sent " + reply + " where " + expected
                + " was due; closing the connection", null);
    }

    @Override
    public void close() {
        channel.close();
    }

    private final class Replies extends SimpleChannelInboundHandler<PagerMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, PagerMessage message) {
            replies.add(message);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            replies.add(CLOSED);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            endReason = cause instanceof PagerProtocolException ? "protocol error: " + cause.getMessage()
                    : cause.toString();
            ctx.close();
        }
    }
}
