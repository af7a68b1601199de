package org.replaydesk.display.vnc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.rfb.ClientInit;
import org.replaydesk.rfb.CopyRectangle;
import org.replaydesk.rfb.CursorRectangle;
import org.replaydesk.rfb.ConnectionFailed;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.PseudoRectangle;
import org.replaydesk.rfb.UpdateRectangle;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.RfbMessage;
import org.replaydesk.rfb.SecurityResult;
import org.replaydesk.rfb.SecurityType;
import org.replaydesk.rfb.SecurityTypeSelection;
import org.replaydesk.rfb.SecurityTypes;
import org.replaydesk.rfb.ServerInit;
import org.replaydesk.rfb.SetEncodings;
import org.replaydesk.rfb.SetPixelFormat;
import org.replaydesk.rfb.VncAuthChallenge;
import org.replaydesk.rfb.VncAuthentication;
import org.replaydesk.rfb.codec.ProtocolVersionDecoder;
import org.replaydesk.rfb.codec.RfbMessageEncoder;
import org.replaydesk.rfb.codec.SecurityResultDecoder;
import org.replaydesk.rfb.codec.SecurityTypesDecoder;
import org.replaydesk.rfb.codec.ServerInitDecoder;
import org.replaydesk.rfb.codec.ServerMessageDecoder;
import org.replaydesk.rfb.codec.VncAuthChallengeDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFB client of one pixel source: the VM's own VNC server (QEMU's {@code -vnc unix:...} socket), or any RFB server
 * on TCP (a server host's display, seen from a client host). It keeps its own {@link FramebufferMirror}; the
 * {@link Relay} copies the damage of its active source into the display's mirror.
 *
 * <p>Netty 4.1 has no NIO transport for unix sockets (only the native epoll one, which would add a platform jar to
 * the feature), so the socket is a JDK {@link SocketChannel} read by one blocking thread (UNIX or INET family alike).
 * The bytes go into an {@link EmbeddedChannel} carrying the codec library's client-side decoders and
 * {@link RfbMessageEncoder}, so the handshake is the same pipeline-swapping code as with a real Netty channel: the
 * decoders keep partial input (cumulation), hand on bytes that arrived before a phase swap, and their outbound bytes
 * are drained and written to the socket. An EmbeddedChannel is not thread-safe, so every use of it is under
 * {@link #lock}: the reader thread decodes, viewer event loops send input events; the lock also keeps each viewer's
 * events in order.
 *
 * <p>Handshake: RFB 3.8, security None or VNC authentication, ClientInit shared, SetPixelFormat 32 bpp 0x00RRGGBB
 * little-endian, SetEncodings, then one non-incremental FramebufferUpdateRequest. While the client is
 * {@linkplain #setRequesting requesting}, each update is followed by an incremental request (QEMU holds it until the
 * screen changes); a source that is not shown stops requesting, so an idle source costs no bandwidth.
 *
 * <p>Damage probe: a client that is not requesting but has a {@linkplain #setProbeInterval probe interval} asks for
 * one incremental update per {@link #probeTick} (the relay ticks it at {@code damage.probe.fps}), so the relay keeps
 * measuring its screen's damage, and keeps its mirror at most one interval old, at a capped cost. For a second after
 * an input event ({@link #boost}) it asks again right after each update, as a shown source does, so the frames that
 * answer the input are counted at the rate the server produces them. The encodings stay those of the connection:
 * RFB has no "damage only" encoding, the mirror needs the pixels to stay fresh, and on a local socket Raw (the first
 * choice, {@link #ENCODINGS}) is already the cheapest in CPU; QEMU sends only the changed regions on incremental
 * requests, so an unchanged screen costs nothing but the tick.
 *
 * <p>Full frames: {@link #requestFullFrame} completes once every pixel has been written since the request. Counting
 * covered pixels, rather than trusting that the next update is the full one, also works with servers that split
 * an answer over several updates (our own relay does, when it sends the smallest rectangles first).
 */
final class UpstreamClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);

    /**
     * What the relay asks for. Raw first: on a local socket copying is cheaper than compressing in QEMU and
     * decompressing here; CopyRect and DesktopSize keep scrolling and mode switches correct; Cursor gives the
     * pointer shape of VMs with a hardware cursor; QEMU's extended key events carry scancodes, so keyboard layouts
     * are not guessed from keysyms.
     */
    static final List<Integer> ENCODINGS = List.of(Encodings.RAW, Encodings.COPY_RECT, Encodings.DESKTOP_SIZE,
            Encodings.CURSOR, Encodings.QEMU_EXTENDED_KEY_EVENT);

    /** What a TCP source (a remote relay, across hosts) is asked for: compressed, lossless. */
    static final List<Integer> REMOTE_ENCODINGS = List.of(Encodings.TIGHT, Encodings.ZRLE, Encodings.HEXTILE,
            Encodings.RAW, Encodings.COPY_RECT, Encodings.DESKTOP_SIZE, Encodings.CURSOR,
            Encodings.QEMU_EXTENDED_KEY_EVENT, Encodings.LAST_RECT);

    /** Receives what the client learns from its server; called on the reader thread, must not block. */
    interface Listener {
        /** The mirror changed. */
        void changed(UpstreamClient client, FramebufferMirror.Change change);

        /** The server sent a new pointer shape. */
        default void cursor(UpstreamClient client, CursorRectangle cursor) {
        }

        /** The connection ended (cause null for a normal close). */
        void closed(UpstreamClient client, Throwable cause);
    }

    private final DisplaySource source;
    private final List<Integer> encodings;
    private final FramebufferMirror mirror = new FramebufferMirror();
    private final Listener listener;
    private final Object lock = new Object();
    private final CompletableFuture<ServerInit> ready = new CompletableFuture<>();
    private EmbeddedChannel pipeline;
    private SocketChannel channel;
    private Thread reader;
    private volatile boolean closing;
    private volatile boolean requesting = true;
    private volatile boolean extendedKeys;
    private volatile long updates;
    private volatile long receivedBytes;
    private final SlidingWindowMeter byteRate;
    private final SlidingWindowMeter updateRate;
    /** Pixels written since the pending full-frame request; null when none is pending. Reader thread only. */
    private BitSet coverage;
    private int covered;
    private CompletableFuture<Void> fullFrame;
    /** Whether an incremental request is outstanding; under {@link #lock}. */
    private boolean requestOutstanding;
    private Rect full;
    private final LongSupplier nanoClock;
    /** Nanoseconds between probe requests while not requesting; 0: no probe. */
    private volatile long probeIntervalNanos;
    /** Until when (nanoClock) a probing client asks again right after each update. */
    private volatile long boostUntilNanos = Long.MIN_VALUE;
    /** Whether the last update answered (part of) a full-frame request. Reader thread only. */
    private boolean lastUpdateWasRefresh;

    /**
     * @param encodings the SetEncodings list to send: {@link #ENCODINGS} for a unix socket, {@link #REMOTE_ENCODINGS}
     *        for TCP (tests use others to check the codec's decoders against QEMU)
     * @param nanoClock monotonic nanoseconds for the traffic meters and the probe's boost
     */
    UpstreamClient(DisplaySource source, Listener listener, List<Integer> encodings, LongSupplier nanoClock) {
        this.byteRate = new SlidingWindowMeter(TrafficMeter.WINDOW, TrafficMeter.BUCKET, nanoClock);
        this.updateRate = new SlidingWindowMeter(TrafficMeter.WINDOW, TrafficMeter.BUCKET, nanoClock);
        this.nanoClock = nanoClock;
        this.encodings = encodings;
        this.source = source;
        this.listener = listener;
    }

    /**
     * Connects and starts the reader thread; the handshake continues on it.
     *
     * @param timeout limit for a TCP connect
     * @return completes with the ServerInit once a first full frame is in the mirror, or exceptionally if the
     *         handshake fails
     * @throws IOException if the server does not accept
     */
    CompletableFuture<ServerInit> start(Duration timeout) throws IOException {
        if (source.unixSocket() != null) {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(source.unixSocket()));
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        } else {
            channel = SocketChannel.open();
            try {
                java.net.InetSocketAddress address = source.tcp().isUnresolved()
                        ? new java.net.InetSocketAddress(source.tcp().getHostString(), source.tcp().getPort())
                        : source.tcp();
                if (address.isUnresolved()) {
                    throw new IOException("host " + address.getHostString() + " does not resolve");
                }
                channel.socket().connect(address, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                channel.socket().setTcpNoDelay(true);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }
        synchronized (lock) {
            pipeline = new EmbeddedChannel();
            pipeline.pipeline().addLast("rfb", new ProtocolVersionDecoder());
            pipeline.pipeline().addLast(RfbMessageEncoder.INSTANCE);
            pipeline.pipeline().addLast(new Handshake());
        }
        reader = new Thread(this::readLoop, "vnc-upstream-" + threadSuffix());
        reader.setDaemon(true);
        reader.start();
        return ready;
    }

    private String threadSuffix() {
        return source.unixSocket() != null ? String.valueOf(source.unixSocket().getParent().getFileName())
                : source.tcp().getHostString() + ":" + source.tcp().getPort();
    }

    DisplaySource source() {
        return source;
    }

    /** @return this source's own copy of its screen */
    FramebufferMirror mirror() {
        return mirror;
    }

    /** @return FramebufferUpdates received so far */
    long updates() {
        return updates;
    }

    /** @return bytes received from the server so far */
    long receivedBytes() {
        return receivedBytes;
    }

    /** @return bytes per second received over {@link TrafficMeter#WINDOW} */
    double bytesPerSecond() {
        return byteRate.perSecond();
    }

    /** @return FramebufferUpdates per second received over {@link TrafficMeter#WINDOW} */
    double updatesPerSecond() {
        return updateRate.perSecond();
    }

    /** @return whether the handshake finished and the socket is open */
    boolean isConnected() {
        return ready.isDone() && !ready.isCompletedExceptionally() && channel.isOpen();
    }

    /** @return whether the server announced QEMU extended key events (scancodes) */
    boolean supportsExtendedKeys() {
        return extendedKeys;
    }

    /**
     * Starts or stops asking for updates. A client that is not requesting still applies what it was already sent.
     *
     * @param on whether to keep an incremental request outstanding
     */
    void setRequesting(boolean on) {
        requesting = on;
        if (on) {
            synchronized (lock) {
                if (!requestOutstanding && full != null && isConnected()) {
                    requestOutstanding = true;
                    pipeline.writeOutbound(new FramebufferUpdateRequest(true, full));
                    flushOutbound();
                }
            }
        }
    }

    /**
     * Sets the damage probe: while the client is not {@linkplain #setRequesting requesting}, each {@link #probeTick}
     * asks for one incremental update.
     *
     * @param nanos interval of the relay's ticks; 0 disables the probe
     */
    void setProbeInterval(long nanos) {
        probeIntervalNanos = Math.max(0, nanos);
    }

    /** @return whether the probe polls this client now (it is not requesting and the probe is on) */
    boolean isProbing() {
        return !requesting && probeIntervalNanos > 0 && isConnected();
    }

    /** Called at the probe rate: asks for an incremental update if probing and none is outstanding. */
    void probeTick() {
        if (isProbing()) {
            requestIfIdle();
        }
    }

    /**
     * After an input event: while probing, ask again right after each update for {@code duration}, so the frames
     * answering the input are not capped at the probe rate.
     *
     * @param duration how long from now
     */
    void boost(Duration duration) {
        long untilNanos = nanoClock.getAsLong() + duration.toNanos();
        if (untilNanos > boostUntilNanos) {
            boostUntilNanos = untilNanos;
        }
        if (isProbing()) {
            requestIfIdle();
        }
    }

    private void requestIfIdle() {
        synchronized (lock) {
            if (!requestOutstanding && full != null && isConnected()) {
                requestOutstanding = true;
                pipeline.writeOutbound(new FramebufferUpdateRequest(true, full));
                flushOutbound();
            }
        }
    }

    /**
     * @return whether the update the listener is being told about answered a full-frame request (its rectangles are
     *         a refresh the relay asked for, not the screen changing); only meaningful inside
     *         {@link Listener#changed}, on the reader thread
     */
    boolean lastUpdateWasRefresh() {
        return lastUpdateWasRefresh;
    }

    /**
     * Asks for the whole screen and tracks it arriving.
     *
     * @return completes when every pixel of the framebuffer has been received since this call
     */
    CompletableFuture<Void> requestFullFrame() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (lock) {
            if (!isConnected()) {
                done.completeExceptionally(new IOException("not connected to " + source.describe()));
                return done;
            }
            startCoverage(done);
            requestOutstanding = true;
            pipeline.writeOutbound(new FramebufferUpdateRequest(false, full));
            flushOutbound();
        }
        return done;
    }

    /** Caller holds {@link #lock}. */
    private void startCoverage(CompletableFuture<Void> done) {
        if (fullFrame != null) {
            // A second request supersedes the first; both complete together.
            CompletableFuture<Void> earlier = fullFrame;
            done.whenComplete((v, e) -> {
                if (e != null) {
                    earlier.completeExceptionally(e);
                } else {
                    earlier.complete(null);
                }
            });
        }
        fullFrame = done;
        coverage = new BitSet(mirror.width() * mirror.height());
        covered = 0;
    }

    /**
     * Sends a client message (KeyEvent, QemuExtendedKeyEvent, PointerEvent, ClientCutText) to the server. Safe from
     * any thread; messages from one thread keep their order.
     *
     * @param message the message
     */
    void send(RfbMessage message) {
        if (!isConnected()) {
            return;
        }
        synchronized (lock) {
            pipeline.writeOutbound(message);
            flushOutbound();
        }
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
        Throwable cause = null;
        try {
            while (true) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    break;
                }
                buffer.flip();
                receivedBytes += n; // only this thread writes it
                byteRate.add(n);
                synchronized (lock) {
                    pipeline.writeInbound(Unpooled.copiedBuffer(buffer));
                    pipeline.checkException();
                    flushOutbound();
                }
            }
        } catch (Throwable e) {
            cause = closing ? null : e;
        }
        if (cause != null) {
            LOG.warn("RFB connection to {} failed: {}", source.describe(), cause.toString());
        } else {
            LOG.debug("RFB connection to {} closed", source.describe());
        }
        IOException gone = new IOException("RFB server at " + source.describe() + " closed the connection"
                + (cause != null ? ": " + cause : ""));
        ready.completeExceptionally(cause != null ? cause : gone);
        synchronized (lock) {
            if (fullFrame != null) {
                fullFrame.completeExceptionally(gone);
                fullFrame = null;
            }
        }
        closeQuietly();
        listener.closed(this, cause);
    }

    /** Writes whatever the pipeline produced to the socket; caller holds {@link #lock}. */
    private void flushOutbound() {
        ByteBuf buf;
        while ((buf = pipeline.readOutbound()) != null) {
            try {
                ByteBuffer nio = buf.nioBuffer();
                while (nio.hasRemaining()) {
                    channel.write(nio);
                }
            } catch (IOException e) {
                LOG.debug("write to {} failed: {}", source.describe(), e.toString());
                closeQuietly();
            } finally {
                buf.release();
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        closeQuietly();
        if (reader != null && reader != Thread.currentThread()) {
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeQuietly() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.debug("closing {}: {}", source.describe(), e.toString());
        }
    }

    /** Marks the pixels of an update as received for a pending full frame; reader thread, under {@link #lock}. */
    private void cover(List<UpdateRectangle> rectangles) {
        if (coverage == null) {
            return;
        }
        int width = mirror.width();
        for (UpdateRectangle r : rectangles) {
            if (r instanceof PixelRectangle || r instanceof CopyRectangle) {
                Rect rect = r.rect();
                for (int row = rect.y(); row < rect.y() + rect.height(); row++) {
                    int from = row * width + rect.x();
                    int before = coverage.get(from, from + rect.width()).cardinality();
                    coverage.set(from, from + rect.width());
                    covered += rect.width() - before;
                }
            }
        }
        if (covered >= width * mirror.height()) {
            CompletableFuture<Void> done = fullFrame;
            coverage = null;
            fullFrame = null;
            done.complete(null);
        }
    }

    /** Client-side handshake, then the normal phase. Runs under {@link #lock}. */
    private final class Handshake extends SimpleChannelInboundHandler<RfbMessage> {

        /** The ServerInit until the first full frame has filled the mirror. */
        private ServerInit init;
        /** The VeNCrypt sub-type chosen (TLS sources). */
        private int subtype;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RfbMessage msg) {
            ChannelPipeline p = ctx.pipeline();
            if (msg instanceof FramebufferUpdate update) {
                updates++;
                updateRate.add(1);
                requestOutstanding = false;
                List<UpdateRectangle> rectangles = update.rectangles();
                // Decided before cover(): the update that completes a full frame clears fullFrame.
                lastUpdateWasRefresh = fullFrame != null;
                FramebufferMirror.Change change = mirror.apply(rectangles);
                if (change.resized()) {
                    full = new Rect(0, 0, mirror.width(), mirror.height());
                    if (coverage != null) {
                        // The content after a resize is new as a whole: keep waiting for every pixel of it.
                        startCoverage(fullFrame);
                    }
                }
                for (UpdateRectangle r : rectangles) {
                    if (r instanceof PseudoRectangle ps && ps.encoding() == Encodings.QEMU_EXTENDED_KEY_EVENT) {
                        extendedKeys = true;
                    } else if (r instanceof CursorRectangle c) {
                        listener.cursor(UpstreamClient.this, c);
                    }
                }
                cover(change.resized() ? damageAfterResize(rectangles) : rectangles);
                listener.changed(UpstreamClient.this, change);
                boolean boosted = probeIntervalNanos > 0 && nanoClock.getAsLong() < boostUntilNanos;
                if (requesting || fullFrame != null || boosted) {
                    requestOutstanding = true;
                    // Incremental: a pending full-frame request is already with the server.
                    ctx.writeAndFlush(new FramebufferUpdateRequest(true, full));
                }
                if (init != null && fullFrame == null) {
                    // Ready only now: a viewer served before the first full frame would see black.
                    ready.complete(init);
                    init = null;
                }
            } else if (msg instanceof ProtocolVersion version) {
                if (!version.isV38()) {
                    throw new IllegalStateException("RFB server at " + source.describe() + " speaks RFB "
                            + version.major() + "." + version.minor() + "; the relay needs 3.8");
                }
                p.replace("rfb", "rfb", new SecurityTypesDecoder(ProtocolVersion.V3_8));
                ctx.writeAndFlush(ProtocolVersion.V3_8);
            } else if (msg instanceof SecurityTypes types && source.tlsTrust() != null) {
                if (!types.types().contains(SecurityType.VENCRYPT)) {
                    throw new IllegalStateException("RFB server at " + source.describe() + " offers security types "
                            + types.types() + " but not VeNCrypt (19); the source asks for TLS");
                }
                p.replace("rfb", "rfb", new org.replaydesk.rfb.codec.VeNCryptVersionDecoder());
                ctx.writeAndFlush(new SecurityTypeSelection(SecurityType.VENCRYPT));
            } else if (msg instanceof org.replaydesk.rfb.VeNCryptVersion) {
                p.replace("rfb", "rfb", new org.replaydesk.rfb.codec.VeNCryptStatusDecoder());
                ctx.writeAndFlush(org.replaydesk.rfb.VeNCryptVersion.V0_2);
            } else if (msg instanceof org.replaydesk.rfb.VeNCryptStatus status) {
                if (!status.ok()) {
                    throw new IllegalStateException("RFB server at " + source.describe()
                            + " refused VeNCrypt version 0.2");
                }
                p.replace("rfb", "rfb", new org.replaydesk.rfb.codec.VeNCryptSubtypesDecoder());
            } else if (msg instanceof org.replaydesk.rfb.VeNCryptSubtypes offered) {
                subtype = source.username() != null ? org.replaydesk.rfb.VeNCryptSubtype.X509_PLAIN
                        : source.password() != null ? org.replaydesk.rfb.VeNCryptSubtype.X509_VNC
                        : org.replaydesk.rfb.VeNCryptSubtype.X509_NONE;
                if (!offered.subtypes().contains(subtype)) {
                    throw new IllegalStateException("RFB server at " + source.describe() + " offers "
                            + offered.subtypes().stream().map(org.replaydesk.rfb.VeNCryptSubtype::name).toList()
                            + " but the source's credentials need " + org.replaydesk.rfb.VeNCryptSubtype.name(subtype));
                }
                p.replace("rfb", "rfb", new org.replaydesk.rfb.codec.VeNCryptSubtypeAckDecoder());
                ctx.writeAndFlush(new org.replaydesk.rfb.VeNCryptSubtypeSelection(subtype));
            } else if (msg instanceof org.replaydesk.rfb.VeNCryptSubtypeAck ack) {
                if (!ack.accepted()) {
                    throw new IllegalStateException("RFB server at " + source.describe() + " refused "
                            + org.replaydesk.rfb.VeNCryptSubtype.name(subtype));
                }
                // After the ack everything is TLS; what the server sends next depends on the inner authentication.
                p.replace("rfb", "rfb", subtype == org.replaydesk.rfb.VeNCryptSubtype.X509_VNC
                        ? new VncAuthChallengeDecoder() : new SecurityResultDecoder(ProtocolVersion.V3_8));
                io.netty.handler.ssl.SslHandler tls = TlsKeystore.clientHandler(
                        TlsKeystore.clientContext(source.tlsTrust()), ctx.alloc(), source.tcp().getHostString(),
                        source.tcp().getPort());
                p.addBefore("rfb", "tls", tls);
                if (subtype == org.replaydesk.rfb.VeNCryptSubtype.X509_PLAIN) {
                    // Held by the SslHandler until its handshake is done, then sent encrypted.
                    ctx.writeAndFlush(new org.replaydesk.rfb.PlainCredentials(source.username(), source.password()));
                }
                tls.handshakeFuture().addListener(f -> {
                    if (f.isSuccess()) {
                        LOG.info("TLS to {}: {} {}", source.describe(), tls.engine().getSession().getProtocol(),
                                tls.engine().getSession().getCipherSuite());
                    }
                });
            } else if (msg instanceof SecurityTypes types) {
                if (source.password() != null && types.types().contains(SecurityType.VNC_AUTHENTICATION)) {
                    p.replace("rfb", "rfb", new VncAuthChallengeDecoder());
                    ctx.writeAndFlush(new SecurityTypeSelection(SecurityType.VNC_AUTHENTICATION));
                } else if (types.types().contains(SecurityType.NONE)) {
                    p.replace("rfb", "rfb", new SecurityResultDecoder(ProtocolVersion.V3_8));
                    ctx.writeAndFlush(new SecurityTypeSelection(SecurityType.NONE));
                } else {
                    throw new IllegalStateException("RFB server at " + source.describe() + " offers security types "
                            + types.types() + "; the relay can use None"
                            + (source.password() != null ? " or VNC authentication" : " (or VNC authentication "
                                    + "when the source has a password)"));
                }
            } else if (msg instanceof VncAuthChallenge challenge) {
                p.replace("rfb", "rfb", new SecurityResultDecoder(ProtocolVersion.V3_8));
                ctx.writeAndFlush(VncAuthentication.respond(challenge, source.password()));
            } else if (msg instanceof ConnectionFailed failed) {
                throw new IllegalStateException("RFB server at " + source.describe() + " refused: "
                        + failed.reason());
            } else if (msg instanceof SecurityResult result) {
                if (!result.ok()) {
                    throw new IllegalStateException("RFB server at " + source.describe() + " failed security: "
                            + result.reason());
                }
                p.replace("rfb", "rfb", new ServerInitDecoder());
                ctx.writeAndFlush(new ClientInit(true));
            } else if (msg instanceof ServerInit serverInit) {
                init = serverInit;
                mirror.resize(init.width(), init.height());
                full = new Rect(0, 0, init.width(), init.height());
                ServerMessageDecoder decoder = new ServerMessageDecoder(init.pixelFormat(), init.width(),
                        init.height());
                p.replace("rfb", "rfb", decoder);
                // Servers apply SetPixelFormat to every update after it, so the decoder switches now.
                decoder.setPixelFormat(PixelFormat.RGB888_LE);
                ctx.write(new SetPixelFormat(PixelFormat.RGB888_LE));
                ctx.write(new SetEncodings(encodings));
                startCoverage(new CompletableFuture<>());
                requestOutstanding = true;
                ctx.writeAndFlush(new FramebufferUpdateRequest(false, full));
                LOG.info("connected to RFB server at {}: {}x{} \"{}\"", source.describe(), init.width(),
                        init.height(), init.name());
            }
            // Bell, ServerCutText, SetColourMapEntries: nothing to mirror.
        }

        /** After a resize only the rectangles after the size change count towards the new frame. */
        private List<UpdateRectangle> damageAfterResize(List<UpdateRectangle> rectangles) {
            List<UpdateRectangle> after = new ArrayList<>();
            for (UpdateRectangle r : rectangles) {
                if (r instanceof PseudoRectangle ps && ps.encoding() == Encodings.DESKTOP_SIZE
                        || r instanceof org.replaydesk.rfb.ExtendedDesktopSizeRectangle) {
                    after.clear();
                } else {
                    after.add(r);
                }
            }
            return after;
        }
    }
}
