package org.replaydesk.display.vnc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.replaydesk.rfb.ClientInit;
import org.replaydesk.rfb.ConnectionFailed;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
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
import org.replaydesk.rfb.UpdateRectangle;
import org.replaydesk.rfb.codec.ProtocolVersionDecoder;
import org.replaydesk.rfb.codec.RfbMessageEncoder;
import org.replaydesk.rfb.codec.SecurityResultDecoder;
import org.replaydesk.rfb.codec.SecurityTypesDecoder;
import org.replaydesk.rfb.codec.ServerInitDecoder;
import org.replaydesk.rfb.codec.ServerMessageDecoder;

/**
 * The benchmark's VNC viewer: one client, identical for QEMU's unix socket and the relay's TCP port, so that the two
 * servers are compared through the same eyes. It behaves like a live viewer: RFB 3.8, security None, shared,
 * 32 bpp true colour, the requested encodings, one incremental request outstanding and a new one as soon as an update
 * has been decoded and drawn into its own framebuffer.
 *
 * <p>The socket is a blocking JDK {@link SocketChannel} read by one thread named {@code bench-viewer-*} (the
 * benchmark leaves that thread out of the relay's CPU), feeding an {@link EmbeddedChannel} with the codec library's
 * client-side decoders, as in {@link UpstreamClient}. The counters are read from other threads.
 */
final class BenchViewer implements AutoCloseable {

    /** The viewer's pixel format: what most viewers ask for and what both servers serve without conversion. */
    static final PixelFormat FORMAT = PixelFormat.RGB888_LE;

    private final SocketAddress server;
    private final List<Integer> encodings;
    private final CompletableFuture<ServerInit> firstUpdate = new CompletableFuture<>();
    private final Set<String> receivedEncodings = new ConcurrentSkipListSet<>();
    private final Object lock = new Object();
    private SocketChannel channel;
    private EmbeddedChannel pipeline;
    private Thread reader;
    private volatile boolean closing;
    private volatile Throwable failure;
    private volatile long receivedBytes;
    private volatile long updates;
    private int[] framebuffer = new int[0];
    private int framebufferWidth;

    /**
     * @param server QEMU's VNC unix socket ({@link java.net.UnixDomainSocketAddress}) or the relay's TCP address
     * @param encodings the SetEncodings list, e.g. Tight then JPEG quality level 6 then DesktopSize
     */
    BenchViewer(SocketAddress server, List<Integer> encodings) {
        this.server = server;
        this.encodings = List.copyOf(encodings);
    }

    /**
     * Connects and waits for the first (full) update.
     *
     * @param timeout how long the handshake and first update may take
     * @throws IOException if the server cannot be reached or the handshake fails
     */
    void start(Duration timeout) throws IOException {
        try {
            channel = SocketChannel.open(server);
        } catch (IOException e) {
            throw new IOException("benchmark viewer cannot connect to " + server + ": " + e.getMessage(), e);
        }
        if (server instanceof InetSocketAddress) {
            // Requests are 10 bytes; Nagle would hold one back behind an unacknowledged one.
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        synchronized (lock) {
            pipeline = new EmbeddedChannel();
            pipeline.pipeline().addLast("rfb", new ProtocolVersionDecoder());
            pipeline.pipeline().addLast(RfbMessageEncoder.INSTANCE);
            pipeline.pipeline().addLast(new Handshake());
        }
        reader = new Thread(this::readLoop, "bench-viewer-" + server);
        reader.setDaemon(true);
        reader.start();
        try {
            firstUpdate.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while connecting to " + server, e);
        } catch (ExecutionException | TimeoutException e) {
            close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException("benchmark viewer could not get a first update from " + server + ": " + cause,
                    cause);
        }
    }

    /** @return bytes read from the server so far (handshake included) */
    long receivedBytes() {
        return receivedBytes;
    }

    /** @return FramebufferUpdates decoded so far (the first, full one included) */
    long updates() {
        return updates;
    }

    /** @return names of the rectangle encodings the server used so far, e.g. [Tight(7)] */
    Set<String> receivedEncodings() {
        return new TreeSet<>(receivedEncodings);
    }

    /** @return non-black pixels in the viewer's framebuffer now (a black screen means the viewer saw nothing) */
    long nonBlackPixels() {
        synchronized (lock) {
            return countNonBlack();
        }
    }

    /** @return why the connection failed, or null while it is healthy */
    Throwable failure() {
        return failure;
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
        try {
            while (true) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    throw new IOException("server " + server + " closed the connection");
                }
                buffer.flip();
                receivedBytes += n; // only this thread writes it
                synchronized (lock) {
                    pipeline.writeInbound(Unpooled.copiedBuffer(buffer));
                    pipeline.checkException();
                    flushOutbound();
                }
            }
        } catch (Throwable e) {
            if (!closing) {
                failure = e;
                firstUpdate.completeExceptionally(e);
            }
        }
    }

    /** Writes what the pipeline produced; caller holds {@link #lock}. */
    private void flushOutbound() throws IOException {
        ByteBuf buf;
        while ((buf = pipeline.readOutbound()) != null) {
            try {
                ByteBuffer nio = buf.nioBuffer();
                while (nio.hasRemaining()) {
                    channel.write(nio);
                }
            } finally {
                buf.release();
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        if (reader != null) {
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            if (pipeline != null) {
                pipeline.finishAndReleaseAll();
            }
        }
    }

    /** Draws a decoded rectangle like a viewer would; runs on the reader thread. */
    private void draw(PixelRectangle p, int fbWidth, int fbHeight) {
        if (framebuffer.length != fbWidth * fbHeight) {
            framebuffer = new int[fbWidth * fbHeight];
            framebufferWidth = fbWidth;
        }
        Rect r = p.rect();
        int[] src = p.pixels();
        for (int row = 0; row < r.height(); row++) {
            System.arraycopy(src, p.offset() + row * p.stride(), framebuffer, (r.y() + row) * framebufferWidth + r.x(),
                    r.width());
        }
    }

    /** @return a copy of what the viewer shows now (0x00RRGGBB, row-major) */
    int[] framebuffer() {
        synchronized (lock) {
            return framebuffer.clone();
        }
    }

    /**
     * Sends a client message (input) to the server.
     *
     * @param message e.g. a KeyEvent
     * @throws IOException if the socket fails
     */
    void send(org.replaydesk.rfb.RfbMessage message) throws IOException {
        synchronized (lock) {
            pipeline.writeOutbound(message);
            flushOutbound();
        }
    }

    private long countNonBlack() {
        long n = 0;
        for (int pixel : framebuffer) {
            if ((pixel & 0xFFFFFF) != 0) {
                n++;
            }
        }
        return n;
    }

    /** Client handshake, then updates. Runs under {@link #lock}. */
    private final class Handshake extends SimpleChannelInboundHandler<RfbMessage> {

        private ServerMessageDecoder decoder;
        private ServerInit init;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RfbMessage msg) {
            ChannelPipeline p = ctx.pipeline();
            if (msg instanceof FramebufferUpdate update) {
                int w = decoder.framebufferWidth();
                int h = decoder.framebufferHeight();
                for (UpdateRectangle r : update.rectangles()) {
                    receivedEncodings.add(Encodings.name(r.encoding()));
                    if (r instanceof PixelRectangle pixels) {
                        draw(pixels, w, h);
                    }
                }
                updates++;
                ctx.writeAndFlush(new FramebufferUpdateRequest(true, new Rect(0, 0, w, h)));
                if (!firstUpdate.isDone()) {
                    firstUpdate.complete(init);
                }
            } else if (msg instanceof ProtocolVersion version) {
                if (!version.isV38()) {
                    throw new IllegalStateException(server + " speaks RFB " + version.major() + "." + version.minor()
                            + "; the benchmark viewer needs 3.8");
                }
                p.replace("rfb", "rfb", new SecurityTypesDecoder(ProtocolVersion.V3_8));
                ctx.writeAndFlush(ProtocolVersion.V3_8);
            } else if (msg instanceof SecurityTypes types) {
                if (!types.types().contains(SecurityType.NONE)) {
                    throw new IllegalStateException(server + " offers security types " + types.types()
                            + " but not None; the benchmark needs a server without a password");
                }
                p.replace("rfb", "rfb", new SecurityResultDecoder(ProtocolVersion.V3_8));
                ctx.writeAndFlush(new SecurityTypeSelection(SecurityType.NONE));
            } else if (msg instanceof ConnectionFailed failed) {
                throw new IllegalStateException(server + " refused the benchmark viewer: " + failed.reason());
            } else if (msg instanceof SecurityResult result) {
                if (!result.ok()) {
                    throw new IllegalStateException(server + " failed security: " + result.reason());
                }
                p.replace("rfb", "rfb", new ServerInitDecoder());
                // Shared: the relay reads the same QEMU socket, and a real viewer would not kick others off.
                ctx.writeAndFlush(new ClientInit(true));
            } else if (msg instanceof ServerInit serverInit) {
                init = serverInit;
                decoder = new ServerMessageDecoder(init.pixelFormat(), init.width(), init.height());
                p.replace("rfb", "rfb", decoder);
                decoder.setPixelFormat(FORMAT);
                ctx.write(new SetPixelFormat(FORMAT));
                ctx.write(new SetEncodings(encodings));
                ctx.writeAndFlush(new FramebufferUpdateRequest(false, new Rect(0, 0, init.width(), init.height())));
            }
            // Bell, ServerCutText, SetColourMapEntries: nothing to count.
        }
    }
}
