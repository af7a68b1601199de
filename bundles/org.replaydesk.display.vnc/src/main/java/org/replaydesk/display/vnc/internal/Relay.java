package org.replaydesk.display.vnc.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.replaydesk.display.vnc.TrafficStats;
import org.replaydesk.display.vnc.ViewerInfo;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.RfbMessage;
import org.replaydesk.rfb.ServerInit;
import org.replaydesk.rfb.codec.FramebufferUpdateEncoder;
import org.replaydesk.rfb.codec.ProtocolVersionDecoder;
import org.replaydesk.rfb.codec.RfbMessageEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One display: an {@link UpstreamClient} on the VM's VNC unix socket, the {@link FramebufferMirror} it keeps, and a
 * Netty TCP server whose {@link ViewerHandler}s serve that mirror. Usable without OSGi (the interop test does).
 */
final class Relay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

    /** Above this many queued bytes a viewer is "not writable" and gets no new update until it drains. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final String name;
    private final Path vncSocket;
    private final InetSocketAddress listen;
    private final ViewerSecurity security;
    private final EventLoopGroup group;
    private final FramebufferMirror mirror = new FramebufferMirror();
    private final Set<ViewerHandler> viewers = new CopyOnWriteArraySet<>();
    private final Set<Channel> viewerChannels = new CopyOnWriteArraySet<>();
    private final Consumer<Relay> onUpstreamClosed;
    private LongSupplier nanoClock = System::nanoTime;
    private volatile UpstreamClient upstream;
    private List<Integer> upstreamEncodings = UpstreamClient.ENCODINGS;
    private Channel server;
    private volatile boolean closed;

    /**
     * @param name desktop name shown to viewers (the VM name)
     * @param vncSocket the VM's VNC unix socket
     * @param listen TCP address for viewers
     * @param security how viewers authenticate (and the TLS context, if any)
     * @param group event loops for the TCP server and its viewers (owned by the caller)
     * @param onUpstreamClosed called once when the VM's VNC server goes away (not after {@link #close})
     */
    Relay(String name, Path vncSocket, InetSocketAddress listen, ViewerSecurity security, EventLoopGroup group,
            Consumer<Relay> onUpstreamClosed) {
        this.name = name;
        this.vncSocket = vncSocket;
        this.listen = listen;
        this.security = security;
        this.group = group;
        this.onUpstreamClosed = onUpstreamClosed;
    }

    /**
     * @param encodings what to ask the VM's VNC server for instead of {@link UpstreamClient#ENCODINGS} (tests)
     * @return this
     */
    Relay withUpstreamEncodings(List<Integer> encodings) {
        this.upstreamEncodings = encodings;
        return this;
    }

    /**
     * @param clock monotonic nanoseconds for the traffic meters, instead of {@link System#nanoTime} (tests)
     * @return this
     */
    Relay withNanoClock(LongSupplier clock) {
        this.nanoClock = clock;
        return this;
    }

    /** @return the clock of the traffic meters */
    LongSupplier nanoClock() {
        return nanoClock;
    }

    /**
     * Connects upstream, waits for its handshake and first full update, then binds the TCP port: a viewer never sees a
     * 0x0 desktop or a black first frame.
     *
     * @param timeout how long to wait for the VM's VNC server
     * @throws IOException if the VNC socket or the TCP port cannot be used
     */
    void start(Duration timeout) throws IOException {
        upstream = new UpstreamClient(vncSocket, mirror, new UpstreamClient.Listener() {
            @Override
            public void ready(ServerInit init) {
                // Viewers connect only after this; nothing to do.
            }

            @Override
            public void changed(FramebufferMirror.Change change) {
                for (ViewerHandler viewer : viewers) {
                    viewer.damage(change);
                }
            }

            @Override
            public void closed(Throwable cause) {
                if (!closed) {
                    onUpstreamClosed.accept(Relay.this);
                }
            }
        }, upstreamEncodings, nanoClock);
        try {
            upstream.start().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            upstream.close();
            throw new IOException("interrupted while connecting to " + vncSocket, e);
        } catch (ExecutionException | TimeoutException e) {
            upstream.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException("VNC handshake with " + vncSocket + " failed: " + cause, cause);
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initViewerChannel(ch);
                    }
                });
        try {
            server = bootstrap.bind(listen).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            upstream.close();
            throw new IOException("cannot listen on " + listen + " for the display of " + name + ": " + e, e);
        }
        LOG.info("display of {} listening on {} (security {})", name, server.localAddress(), security);
    }

    /**
     * Sets up a viewer's pipeline: the phase decoder named "rfb" (swapped by the handler as the handshake advances),
     * the shared message encoder, this viewer's update encoder (its pixel format and zlib streams) and the handler.
     * A VeNCrypt handshake later adds an {@code SslHandler} named "tls" in front of all of them.
     *
     * @param ch a new viewer channel
     */
    void initViewerChannel(Channel ch) {
        ViewerHandler viewer = new ViewerHandler(this, security);
        ch.pipeline().addLast("rfb", new ProtocolVersionDecoder());
        ch.pipeline().addLast(RfbMessageEncoder.INSTANCE);
        // Between the two encoders: it sees each encoded FramebufferUpdate as one buffer, and nothing else as bytes.
        ch.pipeline().addLast(new UpdateMeteringHandler(viewer.traffic(), viewer::encoding));
        ch.pipeline().addLast(new FramebufferUpdateEncoder(PixelFormat.RGB888_LE));
        ch.pipeline().addLast(viewer);
        viewers.add(viewer);
        viewerChannels.add(ch);
        ch.closeFuture().addListener(f -> viewerChannels.remove(ch));
    }

    /** @return the bound address */
    InetSocketAddress address() {
        return server != null ? (InetSocketAddress) server.localAddress() : listen;
    }

    String name() {
        return name;
    }

    FramebufferMirror mirror() {
        return mirror;
    }

    int viewerCount() {
        return viewerChannels.size();
    }

    boolean upstreamConnected() {
        return upstream != null && upstream.isConnected();
    }

    /** @return FramebufferUpdates received from the VM */
    long upstreamUpdates() {
        return upstream == null ? 0 : upstream.updates();
    }

    /** @return the viewers connected now, oldest first */
    List<ViewerInfo> viewers() {
        List<ViewerInfo> out = new ArrayList<>();
        for (ViewerHandler viewer : viewers) {
            viewer.info().ifPresent(out::add);
        }
        out.sort(Comparator.comparing(ViewerInfo::connectedSince).thenComparing(ViewerInfo::id));
        return out;
    }

    /** @return the display's traffic: the viewers' summed, plus what comes from the VM */
    TrafficStats stats() {
        List<TrafficStats> each = viewers().stream().map(ViewerInfo::traffic).toList();
        UpstreamClient client = upstream;
        return TrafficMeter.sum(each, client == null ? 0 : client.bytesPerSecond(),
                client == null ? 0 : client.updatesPerSecond());
    }

    void upstream(RfbMessage message) {
        UpstreamClient client = upstream;
        if (client != null) {
            client.send(message);
        }
    }

    /** @return the viewers (tests drive damage through them) */
    Set<ViewerHandler> viewersForTest() {
        return viewers;
    }

    void viewerGone(ViewerHandler viewer) {
        viewers.remove(viewer);
    }

    @Override
    public void close() {
        closed = true;
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        for (Channel ch : viewerChannels) {
            ch.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        LOG.info("display of {} closed", name);
    }
}
