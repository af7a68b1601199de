package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.rfb.ClientInit;
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
import org.replaydesk.rfb.SecurityTypeAnnouncement;
import org.replaydesk.rfb.SecurityTypeSelection;
import org.replaydesk.rfb.SecurityTypes;
import org.replaydesk.rfb.ServerInit;
import org.replaydesk.rfb.SetEncodings;
import org.replaydesk.rfb.SetPixelFormat;
import org.replaydesk.rfb.UpdateRectangle;
import org.replaydesk.rfb.VncAuthChallenge;
import org.replaydesk.rfb.VncAuthentication;
import org.replaydesk.rfb.codec.ProtocolVersionDecoder;
import org.replaydesk.rfb.codec.RfbMessageEncoder;
import org.replaydesk.rfb.codec.SecurityResultDecoder;
import org.replaydesk.rfb.codec.SecurityTypesDecoder;
import org.replaydesk.rfb.codec.ServerInitDecoder;
import org.replaydesk.rfb.codec.ServerMessageDecoder;
import org.replaydesk.rfb.codec.VncAuthChallengeDecoder;
import org.replaydesk.rfb.encoding.PixelConverter;

/**
 * The viewer side of the relay (handshake, pixel format, encodings, held requests) against a client pipeline built
 * from the codec library, over two {@link EmbeddedChannel}s. The relay is not started: its mirror is filled directly.
 */
class ViewerHandshakeTest {

    private static final int W = 40;
    private static final int H = 30;
    private static final String PASSWORD = "pa55word";

    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void release() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    /** A viewer written with the library's client-side codec. */
    static final class Viewer extends SimpleChannelInboundHandler<RfbMessage> {

        /** Connects this viewer over TCP to a relay (or any RFB server) at {@code address}. */
        Channel connectTo(EventLoopGroup group, java.net.SocketAddress address) throws InterruptedException {
            Viewer viewer = this;
            return new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast("rfb", new ProtocolVersionDecoder());
                            c.pipeline().addLast(RfbMessageEncoder.INSTANCE);
                            c.pipeline().addLast(viewer);
                        }
                    }).connect(address).sync().channel();
        }
        final ProtocolVersion version;
        final String password;
        final PixelFormat format;
        final int encoding;
        final List<RfbMessage> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        ServerMessageDecoder decoder;
        /** Pseudo-encodings announced after the pixel encoding and DesktopSize. */
        volatile List<Integer> extraEncodings = List.of();
        /** Whether to ask for the next incremental update after each one (a live viewer). */
        volatile boolean continuous;
        final java.util.concurrent.atomic.AtomicLong updateCount = new java.util.concurrent.atomic.AtomicLong();

        Viewer(ProtocolVersion version, String password, PixelFormat format, int encoding) {
            this.version = version;
            this.password = password;
            this.format = format;
            this.encoding = encoding;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RfbMessage msg) {
            ChannelPipeline p = ctx.pipeline();
            if (msg instanceof FramebufferUpdate) {
                updateCount.incrementAndGet();
                if (continuous) {
                    // A live viewer keeps no history: count, then ask for the next change.
                    ctx.writeAndFlush(new FramebufferUpdateRequest(true,
                            new Rect(0, 0, decoder.framebufferWidth(), decoder.framebufferHeight())));
                    return;
                }
            }
            received.add(msg);
            if (msg instanceof ProtocolVersion) {
                p.replace("rfb", "rfb", new SecurityTypesDecoder(version));
                ctx.writeAndFlush(version);
            } else if (msg instanceof SecurityTypes types) {
                int type = types.types().get(0);
                if (type == SecurityType.VNC_AUTHENTICATION) {
                    p.replace("rfb", "rfb", new VncAuthChallengeDecoder());
                } else if (version.isV38()) {
                    p.replace("rfb", "rfb", new SecurityResultDecoder(version));
                } else {
                    p.replace("rfb", "rfb", new ServerInitDecoder());
                    ctx.write(new SecurityTypeSelection(type));
                    ctx.writeAndFlush(new ClientInit(true));
                    return;
                }
                ctx.writeAndFlush(new SecurityTypeSelection(type));
            } else if (msg instanceof SecurityTypeAnnouncement a) {
                if (a.type() == SecurityType.VNC_AUTHENTICATION) {
                    p.replace("rfb", "rfb", new VncAuthChallengeDecoder());
                } else {
                    p.replace("rfb", "rfb", new ServerInitDecoder());
                    ctx.writeAndFlush(new ClientInit(true));
                }
            } else if (msg instanceof VncAuthChallenge c) {
                p.replace("rfb", "rfb", new SecurityResultDecoder(version));
                ctx.writeAndFlush(VncAuthentication.respond(c, password));
            } else if (msg instanceof SecurityResult r && r.ok()) {
                p.replace("rfb", "rfb", new ServerInitDecoder());
                ctx.writeAndFlush(new ClientInit(true));
            } else if (msg instanceof ServerInit init) {
                decoder = new ServerMessageDecoder(init.pixelFormat(), init.width(), init.height());
                p.replace("rfb", "rfb", decoder);
                decoder.setPixelFormat(format);
                ctx.write(new SetPixelFormat(format));
                List<Integer> all = new java.util.ArrayList<>(List.of(encoding, Encodings.DESKTOP_SIZE));
                all.addAll(extraEncodings);
                ctx.write(new SetEncodings(all));
                ctx.writeAndFlush(new FramebufferUpdateRequest(false, new Rect(0, 0, init.width(), init.height())));
            }
        }

        List<FramebufferUpdate> updates() {
            return received.stream().filter(FramebufferUpdate.class::isInstance).map(FramebufferUpdate.class::cast)
                    .toList();
        }
    }

    static int[] screen(int seed) {
        int[] p = new int[W * H];
        for (int i = 0; i < p.length; i++) {
            p[i] = (i * 2654435761L + seed) % 2 == 0 ? 0x102030 : (int) ((i * 40503L * (seed + 1)) & 0xFFFFFF);
        }
        return p;
    }

    private Relay relay(Security security) {
        return relay(security == Security.NONE ? ViewerSecurity.none() : ViewerSecurity.vncAuth(PASSWORD));
    }

    static Relay relay(ViewerSecurity security) {
        Relay relay = new Relay("test-vm", org.replaydesk.display.vnc.DisplaySource.unixSocket(Path.of("/nonexistent/vnc.sock")), new InetSocketAddress("127.0.0.1", 0),
                security, null, r -> { });
        relay.mirror().resize(W, H);
        relay.mirror().apply(List.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(0, 0, W, H), screen(1))));
        return relay;
    }

    private EmbeddedChannel serverChannel(Relay relay) {
        EmbeddedChannel channel = new EmbeddedChannel();
        relay.initViewerChannel(channel);
        channel.pipeline().fireChannelActive();
        channels.add(channel);
        return channel;
    }

    private EmbeddedChannel clientChannel(Viewer viewer) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("rfb", new ProtocolVersionDecoder());
        channel.pipeline().addLast(RfbMessageEncoder.INSTANCE);
        channel.pipeline().addLast(viewer);
        channels.add(channel);
        return channel;
    }

    /** Moves bytes both ways (running the server's queued tasks) until neither side writes anything more. */
    static void shuttle(EmbeddedChannel server, EmbeddedChannel client) {
        boolean moved = true;
        while (moved) {
            server.runPendingTasks();
            moved = move(server, client) | move(client, server);
        }
    }

    private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        ByteBuf buf;
        while ((buf = from.readOutbound()) != null) {
            moved = true;
            if (to.isOpen()) {
                to.writeInbound(buf);
            } else {
                buf.release();
            }
        }
        return moved;
    }

    private static int[] quantized(int[] pixels, PixelFormat format) {
        PixelConverter converter = new PixelConverter(format);
        int[] out = pixels.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = converter.quantize(out[i]);
        }
        return out;
    }

    private void assertFullScreen(ProtocolVersion version, Security security, PixelFormat format, int encoding) {
        Relay relay = relay(security);
        Viewer viewer = new Viewer(version, PASSWORD, format, encoding);
        EmbeddedChannel server = serverChannel(relay);
        EmbeddedChannel client = clientChannel(viewer);
        shuttle(server, client);
        List<FramebufferUpdate> updates = viewer.updates();
        assertEquals(1, updates.size(), "one update for one non-incremental request: " + viewer.received);
        PixelRectangle rect = (PixelRectangle) updates.get(0).rectangles().get(0);
        assertEquals(encoding, rect.encoding());
        assertEquals(new Rect(0, 0, W, H), rect.rect());
        assertArrayEquals(quantized(screen(1), format), rect.toArray());
        ServerInit init = (ServerInit) viewer.received.stream().filter(ServerInit.class::isInstance).findFirst()
                .orElseThrow();
        assertEquals(new ServerInit(W, H, PixelFormat.RGB888_LE, "test-vm"), init);
    }

    @Test
    void rfb38NoneZrleRgb888() {
        assertFullScreen(ProtocolVersion.V3_8, Security.NONE, PixelFormat.RGB888_LE, Encodings.ZRLE);
    }

    @Test
    void rfb37NoneHextileRgb565() {
        assertFullScreen(ProtocolVersion.V3_7, Security.NONE, PixelFormat.RGB565_BE, Encodings.HEXTILE);
    }

    @Test
    void rfb33NoneRawBgr888() {
        assertFullScreen(ProtocolVersion.V3_3, Security.NONE, PixelFormat.BGR888_LE, Encodings.RAW);
    }

    @Test
    void rfb38VncAuthTight() {
        assertFullScreen(ProtocolVersion.V3_8, Security.VNCAUTH, PixelFormat.RGB888_LE, Encodings.TIGHT);
    }

    @Test
    void rfb33VncAuthRaw() {
        assertFullScreen(ProtocolVersion.V3_3, Security.VNCAUTH, PixelFormat.RGB888_BE, Encodings.RAW);
    }

    @Test
    void wrongPasswordIsRefusedWithAReasonAndTheConnectionCloses() {
        Relay relay = relay(Security.VNCAUTH);
        Viewer viewer = new Viewer(ProtocolVersion.V3_8, "wrong", PixelFormat.RGB888_LE, Encodings.RAW);
        EmbeddedChannel server = serverChannel(relay);
        EmbeddedChannel client = clientChannel(viewer);
        shuttle(server, client);
        assertEquals(SecurityResult.failed("Authentication failed"), viewer.received.get(viewer.received.size() - 1));
        assertFalse(server.isOpen());
    }

    @Test
    void incrementalRequestIsHeldUntilDamageAndGetsOnlyTheDamage() {
        Relay relay = relay(Security.NONE);
        Viewer viewer = new Viewer(ProtocolVersion.V3_8, null, PixelFormat.RGB888_LE, Encodings.RAW);
        EmbeddedChannel server = serverChannel(relay);
        EmbeddedChannel client = clientChannel(viewer);
        shuttle(server, client);
        assertEquals(1, viewer.updates().size());

        client.writeOutbound(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H)));
        shuttle(server, client);
        assertEquals(1, viewer.updates().size(), "no damage: the request must be held");

        int[] patch = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x123456, 0x654321};
        FramebufferMirror.Change change = relay.mirror().apply(List.of(PixelRectangle.ofPixels(Encodings.RAW,
                new Rect(5, 7, 3, 2), patch)));
        relayDamage(relay, change);
        shuttle(server, client);
        assertEquals(2, viewer.updates().size());
        List<UpdateRectangle> rects = viewer.updates().get(1).rectangles();
        assertEquals(1, rects.size());
        PixelRectangle rect = assertInstanceOf(PixelRectangle.class, rects.get(0));
        assertEquals(new Rect(5, 7, 3, 2), rect.rect());
        assertArrayEquals(patch, rect.toArray());

        // Damage without a request is kept (coalesced) until the viewer asks again.
        relayDamage(relay, relay.mirror().apply(List.of(PixelRectangle.ofPixels(Encodings.RAW,
                new Rect(0, 0, 2, 1), new int[] {1, 2}))));
        relayDamage(relay, relay.mirror().apply(List.of(PixelRectangle.ofPixels(Encodings.RAW,
                new Rect(2, 0, 2, 1), new int[] {3, 4}))));
        shuttle(server, client);
        assertEquals(2, viewer.updates().size());
        client.writeOutbound(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H)));
        shuttle(server, client);
        assertEquals(3, viewer.updates().size());
        PixelRectangle merged = (PixelRectangle) viewer.updates().get(2).rectangles().get(0);
        assertEquals(new Rect(0, 0, 4, 1), merged.rect());
        assertArrayEquals(new int[] {1, 2, 3, 4}, merged.toArray());
    }

    @Test
    void desktopResizeIsAnnouncedThenTheWholeScreenSent() {
        Relay relay = relay(Security.NONE);
        Viewer viewer = new Viewer(ProtocolVersion.V3_8, null, PixelFormat.RGB888_LE, Encodings.RAW);
        EmbeddedChannel server = serverChannel(relay);
        EmbeddedChannel client = clientChannel(viewer);
        shuttle(server, client);
        client.writeOutbound(new FramebufferUpdateRequest(true, new Rect(0, 0, W, H)));
        relayDamage(relay, relay.mirror().apply(List.of(org.replaydesk.rfb.PseudoRectangle.desktopSize(20, 10))));
        shuttle(server, client);
        List<UpdateRectangle> rects = viewer.updates().get(1).rectangles();
        assertEquals(Encodings.DESKTOP_SIZE, rects.get(0).encoding());
        assertEquals(new Rect(0, 0, 20, 10), rects.get(1).rect());
        assertTrue(viewer.decoder.framebufferWidth() == 20 && viewer.decoder.framebufferHeight() == 10);
    }

    /** What the relay's upstream listener does for each viewer. */
    static void relayDamage(Relay relay, FramebufferMirror.Change change) {
        relay.viewersForTest().forEach(v -> v.damage(change));
    }
}
