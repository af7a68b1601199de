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
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.replaydesk.rfb.ClientInit;
import org.replaydesk.rfb.ConnectionFailed;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
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
import org.replaydesk.rfb.codec.ProtocolVersionDecoder;
import org.replaydesk.rfb.codec.RfbMessageEncoder;
import org.replaydesk.rfb.codec.SecurityResultDecoder;
import org.replaydesk.rfb.codec.SecurityTypesDecoder;
import org.replaydesk.rfb.codec.ServerInitDecoder;
import org.replaydesk.rfb.codec.ServerMessageDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFB client of the VM's own VNC server (QEMU's {@code -vnc unix:...} socket), keeping a {@link FramebufferMirror}.
 *
 * <p>Netty 4.1 has no NIO transport for unix sockets (only the native epoll one, which would add a platform jar to
 * the feature), so the socket is a JDK {@link SocketChannel} of family UNIX read by one blocking thread. The bytes go
 * into an {@link EmbeddedChannel} carrying the codec library's client-side decoders and {@link RfbMessageEncoder}, so
 * the handshake is the same pipeline-swapping code as with a real Netty channel: the decoders keep partial input
 * (cumulation), hand on bytes that arrived before a phase swap, and their outbound bytes are drained and written to
 * the socket. An EmbeddedChannel is not thread-safe, so every use of it is under {@link #lock}: the reader thread
 * decodes, viewer event loops send input events; the lock also keeps each viewer's events in order.
 *
 * <p>Handshake: RFB 3.8, security None, ClientInit shared, SetPixelFormat 32 bpp 0x00RRGGBB little-endian,
 * SetEncodings, then one non-incremental FramebufferUpdateRequest and, after each update, an incremental one (QEMU
 * holds an incremental request until the screen changes).
 */
final class UpstreamClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);

    /**
     * What the relay asks QEMU for. Raw first: on a local socket copying is cheaper than compressing in QEMU and
     * decompressing here; CopyRect and DesktopSize keep scrolling and mode switches correct.
     */
    static final List<Integer> ENCODINGS = List.of(Encodings.RAW, Encodings.COPY_RECT, Encodings.DESKTOP_SIZE);

    /** Receives what the relay learns from upstream; called on the reader thread, must not block. */
    interface Listener {
        /** The handshake finished and the first (full) update is in the mirror. */
        void ready(ServerInit init);

        /** The mirror changed. */
        void changed(FramebufferMirror.Change change);

        /** The connection ended (cause null for a normal close). */
        void closed(Throwable cause);
    }

    private final Path socket;
    private final List<Integer> encodings;
    private final FramebufferMirror mirror;
    private final Listener listener;
    private final Object lock = new Object();
    private final CompletableFuture<ServerInit> ready = new CompletableFuture<>();
    private EmbeddedChannel pipeline;
    private SocketChannel channel;
    private Thread reader;
    private volatile boolean closing;
    private volatile long updates;
    private volatile long receivedBytes;
    private final SlidingWindowMeter byteRate;
    private final SlidingWindowMeter updateRate;

    UpstreamClient(Path socket, FramebufferMirror mirror, Listener listener) {
        this(socket, mirror, listener, ENCODINGS, System::nanoTime);
    }

    /**
     * @param encodings the SetEncodings list to send (tests use it to check the codec's decoders against QEMU)
     * @param nanoClock monotonic nanoseconds for the traffic meters
     */
    UpstreamClient(Path socket, FramebufferMirror mirror, Listener listener, List<Integer> encodings,
            LongSupplier nanoClock) {
        this.byteRate = new SlidingWindowMeter(TrafficMeter.WINDOW, TrafficMeter.BUCKET, nanoClock);
        this.updateRate = new SlidingWindowMeter(TrafficMeter.WINDOW, TrafficMeter.BUCKET, nanoClock);
        this.encodings = encodings;
        this.socket = socket;
        this.mirror = mirror;
        this.listener = listener;
    }

    /**
     * Connects and starts the reader thread; the handshake continues on it.
     *
     * @return completes with the ServerInit once the first full update is in the mirror, or exceptionally if the
     *         handshake fails
     * @throws IOException if the socket does not accept
     */
    CompletableFuture<ServerInit> start() throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        synchronized (lock) {
            pipeline = new EmbeddedChannel();
            pipeline.pipeline().addLast("rfb", new ProtocolVersionDecoder());
            pipeline.pipeline().addLast(RfbMessageEncoder.INSTANCE);
            pipeline.pipeline().addLast(new Handshake());
        }
        reader = new Thread(this::readLoop, "vnc-upstream-" + socket.getParent().getFileName());
        reader.setDaemon(true);
        reader.start();
        return ready;
    }

    /** @return FramebufferUpdates received so far */
    long updates() {
        return updates;
    }

    /** @return bytes received from the VM's VNC server so far */
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

    /**
     * Sends a client message (KeyEvent, PointerEvent, ClientCutText) to the VM. Safe from any thread; messages from
     * one thread keep their order.
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
            LOG.warn("VNC connection to {} failed: {}", socket, cause.toString());
        } else {
            LOG.debug("VNC connection to {} closed", socket);
        }
        ready.completeExceptionally(cause != null ? cause : new IOException("VNC server at " + socket
                + " closed the connection during the handshake"));
        closeQuietly();
        listener.closed(cause);
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
                LOG.debug("write to {} failed: {}", socket, e.toString());
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
            LOG.debug("closing {}: {}", socket, e.toString());
        }
    }

    /** Client-side handshake, then the normal phase. Runs under {@link #lock}. */
    private final class Handshake extends SimpleChannelInboundHandler<RfbMessage> {

        private ServerMessageDecoder decoder;
        private Rect full;
        /** The ServerInit until the first update has filled the mirror. */
        private ServerInit init;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RfbMessage msg) {
            ChannelPipeline p = ctx.pipeline();
            if (msg instanceof FramebufferUpdate update) {
                updates++;
                updateRate.add(1);
                FramebufferMirror.Change change = mirror.apply(update.rectangles());
                if (change.resized()) {
                    full = new Rect(0, 0, mirror.width(), mirror.height());
                }
                listener.changed(change);
                ctx.writeAndFlush(new FramebufferUpdateRequest(true, full));
                if (init != null) {
                    // Ready only now: a viewer served before the first update would get a black screen.
                    ready.complete(init);
                    listener.ready(init);
                    init = null;
                }
            } else if (msg instanceof ProtocolVersion version) {
                if (!version.isV38()) {
                    throw new IllegalStateException("VNC server at " + socket + " speaks RFB " + version.major() + "."
                            + version.minor() + "; the relay needs 3.8");
                }
                p.replace("rfb", "rfb", new SecurityTypesDecoder(ProtocolVersion.V3_8));
                ctx.writeAndFlush(ProtocolVersion.V3_8);
            } else if (msg instanceof SecurityTypes types) {
                if (!types.types().contains(SecurityType.NONE)) {
                    throw new IllegalStateException("VNC server at " + socket + " offers security types "
                            + types.types() + " but not None; start QEMU's VNC without a password");
                }
                p.replace("rfb", "rfb", new SecurityResultDecoder(ProtocolVersion.V3_8));
                ctx.writeAndFlush(new SecurityTypeSelection(SecurityType.NONE));
            } else if (msg instanceof ConnectionFailed failed) {
                throw new IllegalStateException("VNC server at " + socket + " refused: " + failed.reason());
            } else if (msg instanceof SecurityResult result) {
                if (!result.ok()) {
                    throw new IllegalStateException("VNC server at " + socket + " failed security: "
                            + result.reason());
                }
                p.replace("rfb", "rfb", new ServerInitDecoder());
                ctx.writeAndFlush(new ClientInit(true));
            } else if (msg instanceof ServerInit serverInit) {
                init = serverInit;
                mirror.resize(init.width(), init.height());
                full = new Rect(0, 0, init.width(), init.height());
                decoder = new ServerMessageDecoder(init.pixelFormat(), init.width(), init.height());
                p.replace("rfb", "rfb", decoder);
                // QEMU applies SetPixelFormat to every update after it, so the decoder switches now.
                decoder.setPixelFormat(PixelFormat.RGB888_LE);
                ctx.write(new SetPixelFormat(PixelFormat.RGB888_LE));
                ctx.write(new SetEncodings(encodings));
                ctx.writeAndFlush(new FramebufferUpdateRequest(false, full));
                LOG.info("connected to VNC server at {}: {}x{} \"{}\"", socket, init.width(), init.height(),
                        init.name());
            }
            // Bell, ServerCutText, SetColourMapEntries: nothing to mirror.
        }
    }
}
