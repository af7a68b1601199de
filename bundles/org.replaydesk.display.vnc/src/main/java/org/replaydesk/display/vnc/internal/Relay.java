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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Optional;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.display.vnc.SourceSwitch;
import org.replaydesk.display.vnc.TrafficStats;
import org.replaydesk.display.vnc.ViewerInfo;
import org.replaydesk.rfb.CursorRectangle;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.RfbMessage;
import org.replaydesk.rfb.ServerInit;
import org.replaydesk.rfb.codec.FramebufferUpdateEncoder;
import org.replaydesk.rfb.codec.ProtocolVersionDecoder;
import org.replaydesk.rfb.codec.RfbMessageEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One display: the {@link FramebufferMirror} its viewers are served from, a Netty TCP server (and optionally a
 * WebSocket one) with one {@link ViewerHandler} per viewer, and the upstream RFB connections that feed it. Usable
 * without OSGi (the interop tests do).
 *
 * <p>Sources: the <em>input source</em> is the RFB server the display was opened on (the VM the desktop runs on);
 * viewers' input always goes there. The <em>pixel source</em> is where the mirror's content comes from: the input
 * source, or another server set with {@link #switchSource} (a local replaying VM showing the same desktop). Each
 * {@link UpstreamClient} decodes into its own mirror; the active one's damage is copied into the display's mirror
 * and handed to the viewers. A source that is not shown stops requesting updates. A switch waits for the new
 * source's full frame, then, under the display mirror's lock, compares it with what the viewers were shown and
 * marks only the differing tiles as damage.
 *
 * <p>Interaction and damage ({@link #interaction}) are measured on the input source, whichever source is shown:
 * viewers report the input events they forward, and every update of the input source counts as frames and damage.
 * While the input source is not shown it is polled by the damage probe ({@link #withDamageProbe}) at a capped rate
 * instead of not at all, which also keeps its mirror fresh, so switching back to it needs no full frame.
 *
 * <p>Lock order: the display mirror, then an upstream client's mirror.
 */
final class Relay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

    /** Above this many queued bytes a viewer is "not writable" and gets no new update until it drains. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    /** Damage slot when the probe is off: the interval of the default probe rate (5 per second). */
    static final Duration DEFAULT_DAMAGE_SLOT = Duration.ofMillis(200);

    /** Side of the tiles compared after a source switch. */
    static final int DIFF_TILE = 32;

    private final String name;
    private final DisplaySource inputSourceAddress;
    private final InetSocketAddress listen;
    private final ViewerSecurity security;
    private final EventLoopGroup group;
    private final FramebufferMirror mirror = new FramebufferMirror();
    private final Set<ViewerHandler> viewers = new CopyOnWriteArraySet<>();
    private final Set<Channel> viewerChannels = new CopyOnWriteArraySet<>();
    private final Consumer<Relay> onUpstreamClosed;
    private final Object switchLock = new Object();
    private LongSupplier nanoClock = System::nanoTime;
    private TrafficMeter traffic;
    private volatile UpstreamClient input;
    private volatile UpstreamClient pixels;
    private volatile CursorRectangle cursor;
    private List<Integer> upstreamEncodings;
    private InetSocketAddress webSocketListen;
    private int quality = DisplayQuality.AUTO;
    private Channel server;
    private Channel webSocketServer;
    private volatile boolean closed;
    private int damageProbeFps;
    private InteractionMeter interaction;
    private ScheduledExecutorService probeTimer;

    /**
     * @param name desktop name shown to viewers (the VM name)
     * @param source the RFB server the display shows and sends input to (the VM's VNC socket)
     * @param listen TCP address for viewers
     * @param security how viewers authenticate (and the TLS context, if any)
     * @param group event loops for the TCP server and its viewers (owned by the caller)
     * @param onUpstreamClosed called once when the input source goes away (not after {@link #close})
     */
    Relay(String name, DisplaySource source, InetSocketAddress listen, ViewerSecurity security,
            EventLoopGroup group, Consumer<Relay> onUpstreamClosed) {
        this.name = name;
        this.inputSourceAddress = source;
        this.listen = listen;
        this.security = security;
        this.group = group;
        this.onUpstreamClosed = onUpstreamClosed;
    }

    /**
     * @param encodings what to ask the input source for instead of {@link UpstreamClient#ENCODINGS} (tests)
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

    /**
     * @param framesPerSecond how often to ask the input source for an incremental update while it is not the shown
     *        source ({@code damage.probe.fps}); 0 (the default here) stops asking, as before the probe existed
     * @return this
     */
    Relay withDamageProbe(int framesPerSecond) {
        if (framesPerSecond < 0) {
            throw new IllegalArgumentException("damage probe rate " + framesPerSecond + " is negative");
        }
        this.damageProbeFps = framesPerSecond;
        return this;
    }

    /** @return the input source's interaction and damage meter */
    InteractionMeter interactionMeter() {
        if (interaction == null) {
            // Damage is counted per probe interval whether the source is shown or probed (InteractionMeter).
            interaction = new InteractionMeter(nanoClock, damageProbeFps > 0
                    ? Duration.ofNanos(1_000_000_000L / damageProbeFps) : DEFAULT_DAMAGE_SLOT);
        }
        return interaction;
    }

    /**
     * @param address where to serve RFB over WebSocket (binary frames, for noVNC); null for none
     * @return this
     */
    Relay withWebSocket(InetSocketAddress address) {
        this.webSocketListen = address;
        return this;
    }

    /**
     * @param setting the operator's quality ({@link DisplayQuality})
     * @return this
     */
    Relay withQuality(int setting) {
        this.quality = setting;
        return this;
    }

    /** @return the operator's quality setting ({@link DisplayQuality}) */
    int quality() {
        return quality;
    }

    /** @return the clock of the traffic meters */
    LongSupplier nanoClock() {
        return nanoClock;
    }

    /** @return the meter of the whole display (every viewer's updates, including viewers that left) */
    TrafficMeter displayTraffic() {
        if (traffic == null) {
            traffic = new TrafficMeter(nanoClock);
        }
        return traffic;
    }

    /**
     * Connects to the input source, waits for its handshake and first full frame, then binds the TCP port(s): a
     * viewer never sees a 0x0 desktop or a black first frame.
     *
     * @param timeout how long to wait for the source
     * @throws IOException if the source or the TCP port cannot be used
     */
    void start(Duration timeout) throws IOException {
        displayTraffic();
        interactionMeter();
        UpstreamClient client = connect(inputSourceAddress, upstreamEncodings, timeout);
        input = client;
        if (damageProbeFps > 0) {
            long interval = 1_000_000_000L / damageProbeFps;
            client.setProbeInterval(interval);
            // Its own thread rather than a viewer event loop: a tick may wait for the reader thread's lock while it
            // decodes an update, and viewers must not wait for that.
            probeTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "vnc-damage-probe-" + name);
                t.setDaemon(true);
                return t;
            });
            probeTimer.scheduleAtFixedRate(client::probeTick, interval, interval, TimeUnit.NANOSECONDS);
        }
        synchronized (mirror) {
            pixels = client;
            copyAll(client);
        }
        try {
            server = bind(listen, false);
            if (webSocketListen != null) {
                webSocketServer = bind(webSocketListen, true);
            }
        } catch (IOException e) {
            close();
            throw e;
        }
        LOG.info("display of {} listening on {}{} (security {})", name, server.localAddress(),
                webSocketServer != null ? " and WebSocket " + webSocketServer.localAddress() : "", security);
    }

    private Channel bind(InetSocketAddress address, boolean webSocket) throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (webSocket) {
                            WebSocketTransport.install(ch, Relay.this::initViewerChannel);
                        } else {
                            initViewerChannel(ch);
                        }
                    }
                });
        try {
            return bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            throw new IOException("cannot listen on " + address + " for the display of " + name + ": " + e, e);
        }
    }

    /** Connects a client and waits for its first full frame; closes it on failure. */
    private UpstreamClient connect(DisplaySource source, List<Integer> encodings, Duration timeout)
            throws IOException {
        UpstreamClient.Listener listener = new UpstreamClient.Listener() {
            @Override
            public void changed(UpstreamClient client, FramebufferMirror.Change change) {
                sourceChanged(client, change);
            }

            @Override
            public void cursor(UpstreamClient client, CursorRectangle shape) {
                if (client == pixels) {
                    cursor = shape;
                    for (ViewerHandler viewer : viewers) {
                        viewer.cursorChanged(shape);
                    }
                }
            }

            @Override
            public void closed(UpstreamClient client, Throwable cause) {
                sourceClosed(client);
            }
        };
        // The relay's clock also for the client: its traffic meters and the probe's after-input boost follow it.
        UpstreamClient client = new UpstreamClient(source, listener, encodings != null ? encodings
                : source.unixSocket() != null ? UpstreamClient.ENCODINGS : UpstreamClient.REMOTE_ENCODINGS,
                nanoClock);
        try {
            client.start(timeout).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return client;
        } catch (IOException e) {
            client.close();
            throw new IOException("cannot connect to " + source.describe() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new IOException("interrupted while connecting to " + source.describe(), e);
        } catch (ExecutionException | TimeoutException e) {
            client.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException("RFB handshake with " + source.describe() + " failed: " + cause, cause);
        }
    }

    /** Reader thread of {@code client}: copies the active source's damage to the display and its viewers. */
    private void sourceChanged(UpstreamClient client, FramebufferMirror.Change change) {
        if (client == input && !client.lastUpdateWasRefresh()) {
            FramebufferMirror own = client.mirror();
            int w = own.width();
            int h = own.height();
            interaction.frame(change.resized() ? List.of(new Rect(0, 0, w, h)) : change.damage(), w, h);
        }
        FramebufferMirror.Change forViewers;
        synchronized (mirror) {
            if (client != pixels) {
                return;
            }
            FramebufferMirror own = client.mirror();
            synchronized (own) {
                if (change.resized() || own.width() != mirror.width() || own.height() != mirror.height()) {
                    mirror.resize(own.width(), own.height());
                    mirror.copyFrom(own, new Rect(0, 0, own.width(), own.height()));
                    forViewers = new FramebufferMirror.Change(List.of(), true);
                } else {
                    for (Rect r : change.damage()) {
                        mirror.copyFrom(own, r);
                    }
                    forViewers = change;
                }
            }
        }
        for (ViewerHandler viewer : viewers) {
            viewer.damage(forViewers);
        }
    }

    private void sourceClosed(UpstreamClient client) {
        if (closed) {
            return;
        }
        if (client == input) {
            onUpstreamClosed.accept(this);
        } else if (client == pixels) {
            // The replaying source died: show the input source again rather than a frozen screen.
            LOG.warn("pixel source {} of display {} went away; back to {}", client.source().describe(), name,
                    inputSourceAddress.describe());
            Thread t = new Thread(() -> {
                try {
                    switchSource(inputSourceAddress, Duration.ofSeconds(10));
                } catch (IOException e) {
                    LOG.warn("display {} could not go back to {}: {}", name, inputSourceAddress.describe(),
                            e.getMessage());
                }
            }, "display-fallback-" + name);
            t.setDaemon(true);
            t.start();
        }
    }

    /** Copies the whole frame of {@code client} into the display mirror; caller holds the display mirror lock. */
    private void copyAll(UpstreamClient client) {
        FramebufferMirror own = client.mirror();
        synchronized (own) {
            mirror.resize(own.width(), own.height());
            mirror.copyFrom(own, new Rect(0, 0, own.width(), own.height()));
        }
    }

    /**
     * Shows another source's pixels. Input keeps going to the input source.
     *
     * @param source the new pixel source; the input source's address switches back to it
     * @param timeout how long to wait for the new source's full frame
     * @return what the switch did
     * @throws IOException if the new source fails; the display keeps its current source
     */
    SourceSwitch switchSource(DisplaySource source, Duration timeout) throws IOException {
        synchronized (switchLock) {
            long t0 = System.nanoTime();
            UpstreamClient from = pixels;
            if (from != null && from.source().equals(source)) {
                return new SourceSwitch(source, source, Duration.ZERO, Duration.ZERO, 0,
                        (long) mirror.width() * mirror.height());
            }
            UpstreamClient to;
            if (source.equals(inputSourceAddress) && input.isProbing()) {
                // The probe kept its mirror at most one probe interval old, and RFB's incremental requests bring
                // whatever changed since the last update: show the mirror now and let the requests catch up.
                to = input;
                to.setRequesting(true);
            } else if (source.equals(inputSourceAddress)) {
                to = input;
                to.setRequesting(true);
                try {
                    to.requestFullFrame().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while switching " + name + " to " + source.describe(), e);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IOException("no full frame from " + source.describe() + ": "
                            + (e instanceof ExecutionException ? e.getCause() : e), e);
                }
            } else {
                to = connect(source, null, timeout);
            }
            long t1 = System.nanoTime();
            long changed;
            long total;
            boolean resized;
            List<Rect> damage = new ArrayList<>();
            synchronized (mirror) {
                FramebufferMirror own = to.mirror();
                synchronized (own) {
                    resized = own.width() != mirror.width() || own.height() != mirror.height();
                    total = (long) own.width() * own.height();
                    if (resized) {
                        changed = total;
                        mirror.resize(own.width(), own.height());
                        mirror.copyFrom(own, new Rect(0, 0, own.width(), own.height()));
                    } else {
                        changed = mirror.diffInto(own, DIFF_TILE, damage);
                        for (Rect r : damage) {
                            mirror.copyFrom(own, r);
                        }
                    }
                }
                pixels = to;
            }
            if (from != null && from != to) {
                if (from == input) {
                    from.setRequesting(false);
                } else {
                    from.close();
                }
            }
            FramebufferMirror.Change change = new FramebufferMirror.Change(damage, resized);
            for (ViewerHandler viewer : viewers) {
                viewer.damage(change);
            }
            long t2 = System.nanoTime();
            SourceSwitch result = new SourceSwitch(from == null ? null : from.source(), source,
                    Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t0), changed, total);
            LOG.info("display {} now shows {} (resync {} ms, {} of {} pixels differed)", name, source.describe(),
                    (t1 - t0) / 1_000_000, changed, total);
            return result;
        }
    }

    /**
     * Sets up a viewer's pipeline: the phase decoder named "rfb" (swapped by the handler as the handshake advances),
     * the shared message encoder, this viewer's update encoder (its pixel format and zlib streams) and the handler.
     * A VeNCrypt handshake later adds an {@code SslHandler} named "tls" right before the "rfb" decoder.
     *
     * @param ch a new viewer channel (TCP, or the RFB side of a WebSocket)
     */
    void initViewerChannel(Channel ch) {
        ViewerHandler viewer = new ViewerHandler(this, security);
        ch.pipeline().addLast("rfb", new ProtocolVersionDecoder());
        ch.pipeline().addLast(RfbMessageEncoder.INSTANCE);
        // Between the two encoders: it sees each encoded FramebufferUpdate as one buffer, and nothing else as bytes.
        ch.pipeline().addLast(new UpdateMeteringHandler(viewer.traffic(), displayTraffic(), viewer::encoding,
                viewer::encoded));
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

    /** @return the bound WebSocket address, or null if the display has none */
    InetSocketAddress webSocketAddress() {
        return webSocketServer != null ? (InetSocketAddress) webSocketServer.localAddress() : webSocketListen;
    }

    String name() {
        return name;
    }

    FramebufferMirror mirror() {
        return mirror;
    }

    /** @return the current pointer shape of the pixel source, if it sent one */
    Optional<CursorRectangle> cursor() {
        return Optional.ofNullable(cursor);
    }

    /** @return the client of the input source (tests, benchmarks) */
    UpstreamClient input() {
        return input;
    }

    /** @return where input goes */
    DisplaySource inputSource() {
        return inputSourceAddress;
    }

    /** @return where the pixels come from now */
    DisplaySource pixelSource() {
        UpstreamClient client = pixels;
        return client == null ? inputSourceAddress : client.source();
    }

    int viewerCount() {
        return viewerChannels.size();
    }

    boolean upstreamConnected() {
        UpstreamClient client = pixels;
        return client != null && client.isConnected();
    }

    /** @return FramebufferUpdates received from the pixel source */
    long upstreamUpdates() {
        UpstreamClient client = pixels;
        return client == null ? 0 : client.updates();
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

    /** @return the viewer with that id */
    Optional<ViewerHandler> viewer(String id) {
        return viewers.stream().filter(v -> v.id().equals(id)).findFirst();
    }

    /**
     * @return the display's traffic: every viewer's updates (also of viewers that have left, so totals never go
     *         down), plus what the pixel source sends the relay
     */
    TrafficStats stats() {
        UpstreamClient client = pixels;
        TrafficStats all = displayTraffic().snapshot();
        return new TrafficStats(all.window(), all.bytesPerSecond(), all.framesPerSecond(), all.shortWindow(),
                all.shortBytesPerSecond(), all.shortFramesPerSecond(), all.totalBytes(), all.totalFrames(),
                all.bytesByEncoding(), client == null ? 0 : client.bytesPerSecond(),
                client == null ? 0 : client.updatesPerSecond());
    }

    /**
     * A viewer forwarded an input event that counts ({@link PointerMotionThrottle}): counts it, and makes a probed
     * input source answer at full rate for the second in which its frames count as "after input".
     */
    void inputCounted() {
        interaction.input();
        UpstreamClient client = input;
        if (client != null) {
            client.boost(InteractionMeter.AFTER_INPUT);
        }
    }

    /** @return the display's interaction and its input source's damage */
    org.replaydesk.display.vnc.InteractionStats interaction() {
        UpstreamClient client = input;
        return interaction.snapshot(client != null && client.isProbing());
    }

    /** Sends a viewer's input to the input source. */
    void upstream(RfbMessage message) {
        UpstreamClient client = input;
        if (client != null) {
            client.send(message);
        }
    }

    /** @return whether the input source takes QEMU extended key events */
    boolean upstreamSupportsExtendedKeys() {
        UpstreamClient client = input;
        return client != null && client.supportsExtendedKeys();
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
        if (probeTimer != null) {
            probeTimer.shutdownNow();
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (webSocketServer != null) {
            webSocketServer.close().syncUninterruptibly();
        }
        for (Channel ch : viewerChannels) {
            ch.close();
        }
        UpstreamClient shown = pixels;
        if (shown != null && shown != input) {
            shown.close();
        }
        if (input != null) {
            input.close();
        }
        LOG.info("display of {} closed", name);
    }
}
