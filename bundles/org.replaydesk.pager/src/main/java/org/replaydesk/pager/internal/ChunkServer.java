package org.replaydesk.pager.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.ChunkStore;
import org.replaydesk.pager.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link ChunkStore} over TCP with the chunk protocol. A connection must say HELLO with the right version
 * and token within {@link #HELLO_TIMEOUT_SECONDS}; then it asks for manifests and batches of chunks. Chunks are
 * written only while the channel is writable, so a slow client holds at most a write buffer's worth of chunks in
 * this process, whatever it asks for.
 *
 * <p>A version 2 client gets each chunk as COMPRESSED-CHUNK when raw deflate saves at least 1/8 of it (snapshot
 * images are mostly RAM contents, which often compress well), else as CHUNK; a version 1 client gets CHUNKs only.
 * Every reply takes the form of the connection's version: a SESSION-STATUS-REPLY carries the VM counters only to
 * version 4 clients.
 */
public final class ChunkServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkServer.class);
    static final int HELLO_TIMEOUT_SECONDS = 10;
    /** Largest batch announced to clients. */
    static final int MAX_BATCH = 256;
    /** Hashes queued per connection before the server stops reading its requests. */
    private static final int QUEUE_PAUSE = 4 * MAX_BATCH;

    private final ChunkStore store;
    private final Duration helloTimeout;
    private final byte[] token;
    private final Channel channel;
    private final AtomicLong chunksServed = new AtomicLong();
    private final AtomicLong bytesServed = new AtomicLong();
    private final AtomicLong wireBytesServed = new AtomicLong();
    private final AtomicLong chunksCompressed = new AtomicLong();
    private final int highestVersion;
    private final boolean compression;
    private final AtomicLong getsServed = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger largestGet = new java.util.concurrent.atomic.AtomicInteger();
    /** The session agent of this host, when its session service runs; set and cleared as it comes and goes. */
    private volatile org.replaydesk.api.session.ServerSessionAgent sessionAgent;
    /**
     * Runs session requests: a snapshot blocks for seconds, which the event loops must not. Threads come and go with
     * the requests (a handful per session switch, a status per client tick).
     */
    private final java.util.concurrent.ExecutorService sessionRequests = java.util.concurrent.Executors
            .newCachedThreadPool(new io.netty.util.concurrent.DefaultThreadFactory("pager-session", true));

    /**
     * Binds the server.
     *
     * @param store what to serve
     * @param address where to listen (port 0: any free port)
     * @param token the token clients must send; empty: any token is accepted (loopback only, checked by the caller)
     * @param tls TLS for every connection, or null for clear text
     * @param group event loops
     */
    public ChunkServer(ChunkStore store, InetSocketAddress address, String token, SslContext tls,
            EventLoopGroup group) {
        this(store, address, token, tls, group, true);
    }

    /**
     * As above.
     *
     * @param compression whether chunks that compress well go to version 2 clients deflated
     */
    public ChunkServer(ChunkStore store, InetSocketAddress address, String token, SslContext tls,
            EventLoopGroup group, boolean compression) {
        this(store, address, token, tls, group, Duration.ofSeconds(HELLO_TIMEOUT_SECONDS), PagerMessage.VERSION,
                compression);
    }

    /** As above, with the time a connection has to say HELLO (shortened by tests). */
    ChunkServer(ChunkStore store, InetSocketAddress address, String token, SslContext tls, EventLoopGroup group,
            Duration helloTimeout) {
        this(store, address, token, tls, group, helloTimeout, PagerMessage.VERSION, true);
    }

    /**
     * As above, speaking at most {@code highestVersion}: tests run a version 1 server with it, which behaves as the
     * servers released before version 2 (it refuses any other version).
     */
    ChunkServer(ChunkStore store, InetSocketAddress address, String token, SslContext tls, EventLoopGroup group,
            Duration helloTimeout, int highestVersion, boolean compression) {
        this.highestVersion = highestVersion;
        this.compression = compression;
        this.store = store;
        this.helloTimeout = helloTimeout;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        try {
            channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                            }
                            ch.pipeline().addLast("hello-timeout", new ReadTimeoutHandler(helloTimeout.toMillis(),
                                    TimeUnit.MILLISECONDS));
                            ch.pipeline().addLast("decoder", PagerFrameDecoder.forServer());
                            ch.pipeline().addLast("encoder", PagerFrameEncoder.INSTANCE);
                            ch.pipeline().addLast("session", new Session());
                        }
                    }).bind(address).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplayDeskException.unavailable("interrupted while binding the chunk server to " + address);
        } catch (RuntimeException e) {
            throw ReplayDeskException.unavailable("cannot bind the chunk server to " + address + ": " + e);
        }
    }

    /** @return the bound address */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** @return chunks sent to clients */
    public long chunksServed() {
        return chunksServed.get();
    }

    /** @return chunk bytes sent to clients, uncompressed: the chunks' own sizes */
    public long bytesServed() {
        return bytesServed.get();
    }

    /** @return bytes of the CHUNK and COMPRESSED-CHUNK frames sent to clients: what the chunks cost the network */
    public long wireBytesServed() {
        return wireBytesServed.get();
    }

    /** @return chunks sent as COMPRESSED-CHUNK */
    public long chunksCompressed() {
        return chunksCompressed.get();
    }

    /** @return GET requests received */
    public long getsServed() {
        return getsServed.get();
    }

    /** @return the most hashes one GET asked for */
    public int largestGet() {
        return largestGet.get();
    }

    /**
     * @param agent the session agent that answers SESSION-SNAPSHOT and SESSION-STATUS, or null: those requests are
     *     answered "sessions are not served here"
     */
    public void sessionAgent(org.replaydesk.api.session.ServerSessionAgent agent) {
        sessionAgent = agent;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        sessionRequests.shutdownNow();
    }

    /** One connection: HELLO first, then requests; runs on the channel's event loop only. */
    private final class Session extends SimpleChannelInboundHandler<PagerMessage> {
        private boolean welcomed;
        private int version;
        /** A session request is being answered; the client may send nothing else until its reply. */
        private boolean sessionBusy;
        /** Requests that arrived while a session request was answered (or before earlier chunks were out). */
        private final ArrayDeque<PagerMessage> held = new ArrayDeque<>();
        /** Set at HELLO when this connection may carry COMPRESSED-CHUNK; released when the channel goes. */
        private java.util.zip.Deflater deflater;
        private final ArrayDeque<ChunkHash> queue = new ArrayDeque<>();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, PagerMessage message) {
            if (!welcomed) {
                hello(ctx, message);
                return;
            }
            if (sessionBusy || (!queue.isEmpty() && isSessionRequest(message))) {
                // Replies go out in request order: hold what comes while a session request is answered, and a
                // session request until the chunks asked before it are out.
                held.add(message);
                ctx.channel().config().setAutoRead(false);
                return;
            }
            if (isSessionRequest(message)) {
                sessionRequest(ctx, message);
            } else if (message instanceof PagerMessage.ManifestRequest m) {
                ctx.writeAndFlush(manifest(m.imageId()));
            } else if (message instanceof PagerMessage.Get m) {
                getsServed.incrementAndGet();
                largestGet.accumulateAndGet(m.hashes().size(), Math::max);
                queue.addAll(m.hashes());
                if (queue.size() > QUEUE_PAUSE) {
                    ctx.channel().config().setAutoRead(false);
                }
                pump(ctx);
            } else {
                badRequest(ctx, PagerFrameDecoder.name(PagerMessage.Hello.TYPE) + " sent twice");
            }
        }

        private void hello(ChannelHandlerContext ctx, PagerMessage message) {
            if (!(message instanceof PagerMessage.Hello hello)) {
                badRequest(ctx, "the first message must be HELLO, not " + message.getClass().getSimpleName());
                return;
            }
            // Strict: a version this server does not know may change anything, so it is refused, never downgraded.
            // The version 1 wording stays as released: version 2 clients recognise it to fall back.
            if (hello.version() < PagerMessage.VERSION_1 || hello.version() > highestVersion) {
                refuse(ctx, "protocol version " + hello.version() + " is not supported; this server speaks "
                        + (highestVersion == PagerMessage.VERSION_1 ? "version 1" : "versions 1 to " + highestVersion));
                return;
            }
            if (token.length > 0
                    && !MessageDigest.isEqual(token, hello.token().getBytes(StandardCharsets.UTF_8))) {
                refuse(ctx, hello.token().isEmpty() ? "this server needs a token, and none was sent"
                        : "wrong token");
                return;
            }
            welcomed = true;
            version = hello.version();
            ctx.pipeline().remove("hello-timeout");
            if (compression && hello.version() >= 2) {
                deflater = ChunkCompression.newDeflater();
            }
            ctx.writeAndFlush(new PagerMessage.Welcome(hello.version(), MAX_BATCH));
        }

        /**
         * Hands a session request to the agent off the event loop. Reading stops until the reply is written, so
         * replies keep the order of requests; a request sent before earlier chunks went out breaks that order and is
         * refused.
         */
        private void sessionRequest(ChannelHandlerContext ctx, PagerMessage request) {
            String name = request instanceof PagerMessage.SessionSnapshotRequest ? "SESSION-SNAPSHOT"
                    : "SESSION-STATUS";
            if (version < 2) {
                badRequest(ctx, name + " needs protocol version 2; this connection speaks version " + version);
                return;
            }
            org.replaydesk.api.session.ServerSessionAgent agent = sessionAgent;
            if (agent == null) {
                ctx.writeAndFlush(SessionRequests.answer(null, request, version));
                return;
            }
            sessionBusy = true;
            ctx.channel().config().setAutoRead(false);
            int connectionVersion = version;
            try {
                sessionRequests.execute(() -> {
                    PagerMessage reply = SessionRequests.answer(agent, request, connectionVersion);
                    ctx.executor().execute(() -> {
                        sessionBusy = false;
                        ctx.writeAndFlush(reply);
                        releaseHeld(ctx);
                    });
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                ctx.close();
            }
        }

        private boolean isSessionRequest(PagerMessage message) {
            return message instanceof PagerMessage.SessionSnapshotRequest
                    || message instanceof PagerMessage.SessionStatusRequest;
        }

        /** Handles held requests until one blocks again; reading resumes when none is held. */
        private void releaseHeld(ChannelHandlerContext ctx) {
            while (!held.isEmpty() && !sessionBusy && (queue.isEmpty() || !isSessionRequest(held.peek()))) {
                channelRead0(ctx, held.poll());
            }
            if (held.isEmpty() && !sessionBusy && queue.size() <= QUEUE_PAUSE) {
                ctx.channel().config().setAutoRead(true);
            } else {
                ctx.channel().config().setAutoRead(false);
            }
        }

        private PagerMessage manifest(String imageId) {
            try {
                Optional<Manifest> manifest = store.manifest(imageId);
                if (manifest.isEmpty()) {
                    return new PagerMessage.Error(PagerMessage.ErrorCode.NO_SUCH_IMAGE, "no image '" + imageId
                            + "' in the chunk store");
                }
                if (manifest.get().format() != Manifest.FORMAT_FIXED
                        && version < PagerMessage.VERSION_VARIABLE_CHUNKS) {
                    // An older client would refuse (or worse, misread) a format 2 manifest: say why instead.
                    return new PagerMessage.Error(PagerMessage.ErrorCode.CLIENT_TOO_OLD, "image " + imageId
                            + " uses content-defined chunks; this client speaks pager protocol " + version
                            + ", upgrade it (variable chunks need protocol " + PagerMessage.VERSION_VARIABLE_CHUNKS
                            + ")");
                }
                return new PagerMessage.ManifestReply(manifest.get().toJson());
            } catch (ReplayDeskException e) {
                return new PagerMessage.Error(e.status() == org.replaydesk.api.Status.INVALID_ARGUMENT
                        ? PagerMessage.ErrorCode.NO_SUCH_IMAGE : PagerMessage.ErrorCode.SERVER_FAILURE,
                        e.getMessage());
            }
        }

        /** Writes queued chunks while the socket takes them; resumes on writability. */
        private void pump(ChannelHandlerContext ctx) {
            boolean wrote = false;
            while (!queue.isEmpty() && ctx.channel().isWritable()) {
                ChunkHash hash = queue.poll();
                PagerMessage reply;
                try {
                    Optional<byte[]> data = store.chunk(hash);
                    if (data.isPresent()) {
                        reply = chunk(hash, data.get());
                    } else {
                        reply = new PagerMessage.Missing(hash);
                    }
                } catch (ReplayDeskException e) {
                    LOG.warn("Chunk server: {}", e.getMessage());
                    reply = new PagerMessage.Missing(hash);
                }
                ctx.write(reply);
                wrote = true;
            }
            if (wrote) {
                ctx.flush();
            }
            if (!held.isEmpty()) {
                if (queue.isEmpty()) {
                    releaseHeld(ctx);
                }
            } else if (queue.size() <= QUEUE_PAUSE && !sessionBusy && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        }

        /** A CHUNK, or a COMPRESSED-CHUNK when this connection takes them and deflate saves enough; counted. */
        private PagerMessage chunk(ChunkHash hash, byte[] data) {
            byte[] deflated = deflater == null ? null : ChunkCompression.compress(deflater, data);
            chunksServed.incrementAndGet();
            bytesServed.addAndGet(data.length);
            if (deflated == null) {
                PagerMessage.Chunk chunk = new PagerMessage.Chunk(hash, data);
                wireBytesServed.addAndGet(chunk.wireLength());
                return chunk;
            }
            PagerMessage.CompressedChunk chunk = new PagerMessage.CompressedChunk(hash, data, deflated);
            chunksCompressed.incrementAndGet();
            wireBytesServed.addAndGet(chunk.wireLength());
            return chunk;
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (deflater != null) {
                deflater.end();
                deflater = null;
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump(ctx);
            ctx.fireChannelWritabilityChanged();
        }

        private void refuse(ChannelHandlerContext ctx, String reason) {
            LOG.info("Chunk server: refused {}: {}", ctx.channel().remoteAddress(), reason);
            ctx.writeAndFlush(new PagerMessage.Refused(reason)).addListener(ChannelFutureListener.CLOSE);
        }

        private void badRequest(ChannelHandlerContext ctx, String reason) {
            LOG.info("Chunk server: closing {}: {}", ctx.channel().remoteAddress(), reason);
            ctx.writeAndFlush(new PagerMessage.Error(PagerMessage.ErrorCode.BAD_REQUEST, reason))
                    .addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof PagerProtocolException) {
                badRequest(ctx, cause.getMessage());
            } else if (cause instanceof io.netty.handler.timeout.ReadTimeoutException) {
                LOG.info("Chunk server: {} sent no HELLO within {} ms; closing", ctx.channel().remoteAddress(),
                        helloTimeout.toMillis());
                ctx.close();
            } else {
                LOG.debug("Chunk server: connection {} failed", ctx.channel().remoteAddress(), cause);
                ctx.close();
            }
        }
    }
}
