package org.replaydesk.recordlog.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.replaydesk.api.VmName;
import org.replaydesk.recordlog.IcountSource;
import org.replaydesk.recordlog.RecordLogPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming server: one TCP endpoint for all published logs, a {@link ServerSession} per subscriber, and one
 * sampler thread that asks each recording VM for its icount every heartbeat interval.
 */
public final class RecordLogServer implements RecordLogPublisher, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordLogServer.class);

    private final InetSocketAddress requested;
    private final String token;
    private final SslContext tls;
    private final Duration pollInterval;
    private final Duration heartbeatInterval;
    private final EventLoopGroup group;
    private final Map<VmName, LogPublication> publications = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sampler;
    private Channel serverChannel;

    /**
     * @param listen where to listen (port 0: any free port)
     * @param token shared token subscribers must give; empty: none
     * @param tls TLS server context, or null for plain TCP
     * @param pollInterval how often each session looks at the file's size
     * @param heartbeatInterval how often each session sends a heartbeat and the icount is sampled
     * @param group event loops (owned by the caller)
     */
    public RecordLogServer(InetSocketAddress listen, String token, SslContext tls, Duration pollInterval,
            Duration heartbeatInterval, EventLoopGroup group) {
        this.requested = listen;
        this.token = Objects.requireNonNull(token, "token");
        this.tls = tls;
        this.pollInterval = pollInterval;
        this.heartbeatInterval = heartbeatInterval;
        this.group = group;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "recordlog-icount");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Binds the port.
     *
     * @return this
     * @throws IOException when the port cannot be bound
     */
    public RecordLogServer start() throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("decoder", new FrameDecoder(FrameDecoder.Side.SERVER));
                        ch.pipeline().addLast("encoder", FrameEncoder.INSTANCE);
                        ch.pipeline().addLast("session", new ServerSession(RecordLogServer.this));
                    }
                });
        try {
            serverChannel = bootstrap.bind(requested).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + requested, e);
        } catch (Exception e) {
            throw new IOException("cannot listen for record-log subscribers on " + requested + ": " + e.getMessage(),
                    e);
        }
        LOG.info("record-log streaming on {}{}{}", address(), tls != null ? " with TLS" : "",
                token.isEmpty() ? "" : ", token required");
        return this;
    }

    @Override
    public InetSocketAddress address() {
        return serverChannel != null ? (InetSocketAddress) serverChannel.localAddress() : requested;
    }

    @Override
    public void publish(VmName vm, Path log, IcountSource icount) {
        LogPublication publication = new LogPublication(vm, log, icount);
        publication.sampler = sampler.scheduleWithFixedDelay(publication::sampleIcount, 0,
                heartbeatInterval.toMillis(), TimeUnit.MILLISECONDS);
        LogPublication old = publications.put(vm, publication);
        if (old != null) {
            withdraw(old, "VM '" + vm + "' started a new recording; subscribe again from a new snapshot");
        }
        LOG.info("record log of VM '{}' published ({})", vm, log);
    }

    @Override
    public void recorderStopped(VmName vm) {
        LogPublication publication = publications.get(vm);
        if (publication != null) {
            publication.sampler.cancel(false);
            publication.markRecorderStopped();
        }
    }

    @Override
    public void unpublish(VmName vm) {
        LogPublication old = publications.remove(vm);
        if (old != null) {
            withdraw(old, "the record log of VM '" + vm + "' is no longer published");
            LOG.info("record log of VM '{}' unpublished", vm);
        }
    }

    private static void withdraw(LogPublication publication, String reason) {
        publication.sampler.cancel(false);
        for (ServerSession session : List.copyOf(publication.sessions)) {
            session.stop(ErrorCode.UNPUBLISHED, reason);
        }
    }

    @Override
    public Set<VmName> published() {
        return new TreeSet<>(publications.keySet());
    }

    LogPublication publication(VmName vm) {
        return publications.get(vm);
    }

    /** @return the sessions streaming a VM's log now (tests drop their channels) */
    Set<ServerSession> sessions(VmName vm) {
        LogPublication publication = publications.get(vm);
        return publication == null ? Set.of() : Set.copyOf(publication.sessions);
    }

    String token() {
        return token;
    }

    Duration pollInterval() {
        return pollInterval;
    }

    Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** Stops listening and ends every session; the event loops stay (they belong to the caller). */
    @Override
    public void close() {
        for (VmName vm : List.copyOf(publications.keySet())) {
            unpublish(vm);
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        sampler.shutdownNow();
    }
}
