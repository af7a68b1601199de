package org.replaydesk.recordlog.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.JdkZlibDecoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.recordlog.Heartbeat;
import org.replaydesk.recordlog.RecordLogSink;
import org.replaydesk.recordlog.Subscription;
import org.replaydesk.recordlog.SubscriptionOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client stream. Frames arrive on a Netty event loop and go into a queue bounded by bytes; a delivery thread of its
 * own hands them to the sink, so a slow sink never blocks the network thread. When the queued bytes reach the buffer
 * size, reading from the socket pauses (TCP then pushes back on the server, which stops reading the file) and the
 * sink hears it lags; when they drain to half, reading resumes.
 *
 * <p>{@link #expectedOffset} is the next byte the subscription needs. A new connection asks for exactly that offset,
 * and any frame bytes below it are dropped, so a dropped connection leaves neither a gap nor a duplicate. A frame
 * starting above it is a server bug and stops the stream.
 */
final class NettySubscription implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(NettySubscription.class);
    /** Heartbeats queued for a stalled sink beyond this are dropped: the newest one carries all the information. */
    private static final int MAX_QUEUED_HEARTBEATS = 64;
    /** Largest socket read: with it, what one read can inflate to is bounded by zlib's own ratio limit. */
    static final int READ_BYTES = 16 << 10;
    /**
     * Inflated bytes one socket read may produce: a bound against zlib bombs. Deflate cannot compress better than
     * about 1032:1, and a freshly booted guest's log (mostly zeros) comes close: 15 MB went over the wire in
     * 66 KB. So reads are capped at {@link #READ_BYTES} and this is above 1032 times that (found by the Karaf
     * integration test: with 64 KiB reads and a 4 MiB cap, streaming a boot log from offset 0 failed).
     */
    static final int MAX_INFLATED_PER_READ = 24 << 20;

    private final InetSocketAddress server;
    private final VmName vm;
    private final RecordLogSink sink;
    private final SubscriptionOptions options;
    private final SslContext tls;
    private final EventLoopGroup group;
    private final BlockingQueue<Object> deliveries = new LinkedBlockingQueue<>();
    private final Thread deliveryThread;
    private final AtomicBoolean done = new AtomicBoolean();
    /** Set by {@link #close()}: the sink gets nothing more, not even what is queued. */
    private volatile boolean closed;
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicInteger queuedHeartbeats = new AtomicInteger();
    private final AtomicInteger reconnects = new AtomicInteger();
    private volatile long expectedOffset;
    private volatile long deliveredOffset;
    private volatile long received;
    private final AtomicLong wireBytes = new AtomicLong();
    private volatile boolean lagging;
    /** Makes "set the flag, tell the sink" one step, so the sink hears on/off in the order they happened. */
    private final Object laggingLock = new Object();
    private volatile Heartbeat lastHeartbeat;
    private volatile Channel channel;
    private volatile boolean everConnected;
    /** System.nanoTime() when the last working connection was lost (or the first attempt began); 0 while connected. */
    private volatile long unreachableSince;
    private volatile String lastConnectProblem = "";

    private record End(long finalSize, byte[] header) {
    }

    private record Failure(ReplayDeskException error) {
    }

    NettySubscription(InetSocketAddress server, VmName vm, long startOffset, RecordLogSink sink,
            SubscriptionOptions options, SslContext tls, EventLoopGroup group) {
        if (startOffset < 0) {
            throw ReplayDeskException.invalid("start offset " + startOffset + " is negative");
        }
        this.server = server;
        this.vm = vm;
        this.sink = sink;
        this.options = options;
        this.tls = tls;
        this.group = group;
        this.expectedOffset = startOffset;
        this.deliveredOffset = startOffset;
        this.deliveryThread = new Thread(this::deliver, "recordlog-sink-" + vm);
        this.deliveryThread.setDaemon(true);
    }

    NettySubscription start() {
        deliveryThread.start();
        unreachableSince = System.nanoTime();
        connect();
        return this;
    }

    private String describe() {
        return "record-log server " + server.getHostString() + ":" + server.getPort() + " (VM '" + vm + "')";
    }

    private void connect() {
        if (done.get()) {
            return;
        }
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .option(ChannelOption.AUTO_READ, !lagging)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new io.netty.channel.FixedRecvByteBufAllocator(READ_BYTES))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", TlsContexts.clientHandler(tls, ch.alloc(),
                                    server.getHostString(), server.getPort()));
                        }
                        ch.pipeline().addLast("idle", new IdleStateHandler(options.idleTimeout().toMillis(), 0, 0,
                                TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("wire", new WireMeter());
                        if (options.compress()) {
                            ch.pipeline().addLast("zlib", new JdkZlibDecoder(ZlibWrapper.ZLIB, MAX_INFLATED_PER_READ));
                        }
                        ch.pipeline().addLast("decoder", new FrameDecoder(FrameDecoder.Side.CLIENT));
                        ch.pipeline().addLast("encoder", FrameEncoder.INSTANCE);
                        ch.pipeline().addLast("stream", new StreamHandler());
                    }
                });
        ChannelFuture connecting = bootstrap.connect(server);
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                lastConnectProblem = String.valueOf(f.cause().getMessage());
                retryLater();
            }
        });
    }

    private void retryLater() {
        if (done.get()) {
            return;
        }
        long since = unreachableSince;
        if (since != 0 && System.nanoTime() - since > options.reconnectTimeout().toNanos()) {
            fail(new ReplayDeskException(Status.UNAVAILABLE, "cannot reach " + describe() + " for "
                    + options.reconnectTimeout().toMillis() + " ms: " + lastConnectProblem
                    + "; check that the server runs and the address is right"));
            return;
        }
        group.schedule(this::connect, options.reconnectDelay().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The handler of one connection. */
    private final class StreamHandler extends ChannelInboundHandlerAdapter {

        private boolean sawFrame;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (done.get()) {
                ctx.close();
                return;
            }
            channel = ctx.channel();
            if (everConnected) {
                reconnects.incrementAndGet();
                LOG.info("reconnected to {}, resuming at offset {}", describe(), expectedOffset);
            }
            everConnected = true;
            int flags = options.compress() ? HelloFrame.FLAG_ZLIB : 0;
            ctx.writeAndFlush(new HelloFrame(Frame.VERSION, flags, expectedOffset, options.token(), vm.value()));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (done.get()) {
                return;
            }
            if (!sawFrame) {
                sawFrame = true;
                unreachableSince = 0;
            }
            if (msg instanceof DataFrame data) {
                onData(ctx, data);
            } else if (msg instanceof HeartbeatFrame beat) {
                Heartbeat heartbeat = new Heartbeat(beat.icount() == HeartbeatFrame.UNKNOWN_ICOUNT
                        ? OptionalLong.empty() : OptionalLong.of(beat.icount()), beat.logSize(),
                        Instant.ofEpochMilli(beat.serverTimeMillis()));
                lastHeartbeat = heartbeat;
                if (queuedHeartbeats.incrementAndGet() <= MAX_QUEUED_HEARTBEATS) {
                    deliveries.add(heartbeat);
                } else {
                    queuedHeartbeats.decrementAndGet();
                }
            } else if (msg instanceof EndFrame end) {
                if (end.finalSize() != expectedOffset) {
                    fail(new ReplayDeskException(Status.FAILED, describe() + " ended the log at "
                            + end.finalSize() + " bytes, but the stream reached " + expectedOffset));
                    return;
                }
                finish(new End(end.finalSize(), end.header()));
            } else if (msg instanceof ErrorFrame error) {
                fail(new ReplayDeskException(error.code().status(), describe() + " stopped the stream ("
                        + error.code() + "): " + error.reason()));
            }
        }

        private void onData(ChannelHandlerContext ctx, DataFrame data) {
            long expected = expectedOffset;
            long end = data.offset() + data.bytes().length;
            if (data.offset() > expected) {
                fail(new ReplayDeskException(Status.FAILED, describe() + " sent log bytes from offset "
                        + data.offset() + ", but the next byte needed is " + expected
                        + " (a gap; the server is broken)"));
                return;
            }
            if (end <= expected) {
                return; // already have these
            }
            byte[] bytes = data.bytes();
            if (data.offset() < expected) {
                bytes = java.util.Arrays.copyOfRange(bytes, (int) (expected - data.offset()), bytes.length);
            }
            expectedOffset = end;
            received += bytes.length;
            long nowBuffered = buffered.addAndGet(bytes.length);
            deliveries.add(new DataFrame(expected, bytes));
            if (nowBuffered >= options.bufferBytes()) {
                synchronized (laggingLock) {
                    if (!lagging && buffered.get() >= options.bufferBytes()) {
                        lagging = true;
                        ctx.channel().config().setAutoRead(false);
                        LOG.info("{}: buffer full ({} bytes); pausing until the sink catches up", describe(),
                                nowBuffered);
                        sink.onLagging(true);
                    }
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && !lagging) {
                LOG.info("{} sent nothing for {} ms; reconnecting", describe(), options.idleTimeout().toMillis());
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof ProtocolException) {
                fail(new ReplayDeskException(Status.FAILED, describe() + " sent data that is not the record-log "
                        + "protocol: " + cause.getMessage()));
            } else if (cause instanceof DecompressionException) {
                fail(new ReplayDeskException(Status.FAILED, describe() + " sent data that is not the record-log "
                        + "protocol: not a zlib stream, or one that inflates beyond " + MAX_INFLATED_PER_READ
                        + " bytes per read (" + cause.getMessage() + ")"));
            } else if (cause.getCause() instanceof SSLException || cause instanceof SSLException) {
                fail(new ReplayDeskException(Status.UNAVAILABLE, "TLS with " + describe() + " failed: "
                        + (cause.getCause() != null ? cause.getCause().getMessage() : cause.getMessage())
                        + "; check the server's certificate and the trust file"));
            } else {
                lastConnectProblem = String.valueOf(cause.getMessage());
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (channel == ctx.channel()) {
                channel = null;
            }
            if (!done.get()) {
                if (unreachableSince == 0) {
                    unreachableSince = System.nanoTime();
                }
                LOG.info("connection to {} dropped at offset {}; reconnecting", describe(), expectedOffset);
                retryLater();
            }
        }
    }

    /** Counts the bytes as they came off the socket (after TLS, before zlib). */
    private final class WireMeter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.buffer.ByteBuf buf) {
                wireBytes.addAndGet(buf.readableBytes());
            }
            ctx.fireChannelRead(msg);
        }
    }

    private void finish(Object terminal) {
        if (done.compareAndSet(false, true)) {
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
            deliveries.add(terminal);
        }
    }

    private void fail(ReplayDeskException error) {
        if (!done.get()) {
            LOG.warn("{}", error.getMessage());
        }
        finish(new Failure(error));
    }

    /** The delivery thread. */
    private void deliver() {
        try {
            while (true) {
                Object next = deliveries.take();
                if (closed) {
                    return;
                }
                if (next instanceof DataFrame data) {
                    sink.onData(data.offset(), data.bytes());
                    deliveredOffset = data.offset() + data.bytes().length;
                    long left = buffered.addAndGet(-data.bytes().length);
                    if (lagging && left <= options.bufferBytes() / 2) {
                        synchronized (laggingLock) {
                            if (lagging && buffered.get() <= options.bufferBytes() / 2) {
                                resumeReading();
                            }
                        }
                    }
                } else if (next instanceof Heartbeat heartbeat) {
                    queuedHeartbeats.decrementAndGet();
                    sink.onHeartbeat(heartbeat);
                } else if (next instanceof End end) {
                    sink.onEnd(end.finalSize(), end.header());
                    return;
                } else if (next instanceof Failure failure) {
                    sink.onError(failure.error());
                    return;
                } else {
                    return; // closed
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("record-log sink of VM '{}' failed; the subscription stops", vm, e);
            close();
        }
    }

    private void resumeReading() {
        lagging = false;
        Channel ch = channel;
        if (ch != null) {
            ch.eventLoop().execute(() -> {
                ch.config().setAutoRead(true);
                ch.read();
            });
        }
        LOG.info("{}: buffer drained; reading again", describe());
        sink.onLagging(false);
    }

    @Override
    public long bytesReceived() {
        return received;
    }

    @Override
    public long wireBytesReceived() {
        return wireBytes.get();
    }

    @Override
    public long deliveredOffset() {
        return deliveredOffset;
    }

    @Override
    public long lagBytes() {
        Heartbeat heartbeat = lastHeartbeat;
        return heartbeat == null ? 0 : Math.max(0, heartbeat.logSize() - deliveredOffset);
    }

    @Override
    public long bufferedBytes() {
        return buffered.get();
    }

    @Override
    public boolean isLagging() {
        return lagging;
    }

    @Override
    public Optional<Heartbeat> lastHeartbeat() {
        return Optional.ofNullable(lastHeartbeat);
    }

    @Override
    public int reconnects() {
        return reconnects.get();
    }

    @Override
    public boolean isDone() {
        return done.get();
    }

    @Override
    public void close() {
        closed = true;
        if (done.compareAndSet(false, true)) {
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
            deliveries.add(Boolean.FALSE);
        }
    }

    /** @return the current connection, for tests */
    Channel channel() {
        return channel;
    }
}
