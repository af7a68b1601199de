package org.replaydesk.rfb.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
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
import org.replaydesk.rfb.VncAuthChallenge;
import org.replaydesk.rfb.VncAuthResponse;
import org.replaydesk.rfb.VncAuthentication;
import org.replaydesk.rfb.encoding.PixelConverter;

/**
 * A server and a client pipeline assembled from this library's decoders and encoders, handshaking over two
 * {@link EmbeddedChannel}s: each side's handler swaps the phase decoder named "rfb" as the protocol advances. Doubles
 * as the reference for how applications wire the codec.
 */
class HandshakePipelineTest {

    private static final int WIDTH = 64;
    private static final int HEIGHT = 48;
    private static final String PASSWORD = "s3cret";

    /** Minimal server: offers VNC authentication, then answers every update request with the whole screen. */
    static final class Server extends SimpleChannelInboundHandler<RfbMessage> {
        final int[] framebuffer = RoundTripTest.desktop(WIDTH, HEIGHT, 1);
        final SecurityTypes offered = SecurityTypes.of(SecurityType.VNC_AUTHENTICATION);
        ProtocolVersion version;
        VncAuthChallenge challenge;
        int encoding = Encodings.RAW;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(ProtocolVersion.V3_8);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RfbMessage msg) {
            ChannelPipeline p = ctx.pipeline();
            FramebufferUpdateEncoder fbu = p.get(FramebufferUpdateEncoder.class);
            if (msg instanceof ProtocolVersion v) {
                version = ProtocolVersion.V3_8.min(v);
                if (version.hasSecurityTypeList()) {
                    p.replace("rfb", "rfb", new SecurityTypeSelectionDecoder(offered));
                    ctx.writeAndFlush(offered);
                } else {
                    ctx.write(new SecurityTypeAnnouncement(SecurityType.VNC_AUTHENTICATION));
                    sendChallenge(ctx);
                }
            } else if (msg instanceof SecurityTypeSelection) {
                sendChallenge(ctx);
            } else if (msg instanceof VncAuthResponse r) {
                if (VncAuthentication.verify(challenge, r, PASSWORD)) {
                    p.replace("rfb", "rfb", new ClientInitDecoder());
                    ctx.writeAndFlush(SecurityResult.SUCCESS);
                } else {
                    ctx.writeAndFlush(SecurityResult.failed(version.isV38() ? "Authentication failed" : null));
                    ctx.close();
                }
            } else if (msg instanceof ClientInit) {
                p.replace("rfb", "rfb", new ClientMessageDecoder());
                ctx.writeAndFlush(new ServerInit(WIDTH, HEIGHT, PixelFormat.RGB888_LE, "ReplayDesk"));
            } else if (msg instanceof SetPixelFormat s) {
                fbu.setPixelFormat(s.pixelFormat());
            } else if (msg instanceof SetEncodings s) {
                fbu.setEncodings(s);
                encoding = s.encodings().get(0);
            } else if (msg instanceof FramebufferUpdateRequest) {
                ctx.writeAndFlush(FramebufferUpdate.of(PixelRectangle.of(encoding, new Rect(0, 0, WIDTH, HEIGHT),
                        framebuffer, WIDTH)));
            }
        }

        private void sendChallenge(ChannelHandlerContext ctx) {
            challenge = VncAuthentication.newChallenge();
            ctx.pipeline().replace("rfb", "rfb", new VncAuthResponseDecoder());
            ctx.writeAndFlush(challenge);
        }
    }

    /** Minimal client: speaks the given version, switches to the given format and encoding, requests one update. */
    static final class Client extends SimpleChannelInboundHandler<RfbMessage> {
        final ProtocolVersion version;
        final String password;
        final PixelFormat format;
        final int encoding;
        final List<RfbMessage> received = new ArrayList<>();

        Client(ProtocolVersion version, String password, PixelFormat format, int encoding) {
            this.version = version;
            this.password = password;
            this.format = format;
            this.encoding = encoding;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RfbMessage msg) {
            received.add(msg);
            ChannelPipeline p = ctx.pipeline();
            if (msg instanceof ProtocolVersion) {
                p.replace("rfb", "rfb", new SecurityTypesDecoder(version));
                ctx.writeAndFlush(version);
            } else if (msg instanceof SecurityTypes) {
                p.replace("rfb", "rfb", new VncAuthChallengeDecoder());
                ctx.writeAndFlush(new SecurityTypeSelection(SecurityType.VNC_AUTHENTICATION));
            } else if (msg instanceof SecurityTypeAnnouncement) {
                p.replace("rfb", "rfb", new VncAuthChallengeDecoder());
            } else if (msg instanceof VncAuthChallenge c) {
                p.replace("rfb", "rfb", new SecurityResultDecoder(version));
                ctx.writeAndFlush(VncAuthentication.respond(c, password));
            } else if (msg instanceof SecurityResult r && r.ok()) {
                p.replace("rfb", "rfb", new ServerInitDecoder());
                ctx.writeAndFlush(new ClientInit(true));
            } else if (msg instanceof ServerInit init) {
                ServerMessageDecoder decoder = new ServerMessageDecoder(init.pixelFormat(), init.width(),
                        init.height());
                p.replace("rfb", "rfb", decoder);
                // The decoder must switch format when SetPixelFormat is sent: the server applies it to the next update.
                decoder.setPixelFormat(format);
                ctx.write(new SetPixelFormat(format));
                ctx.write(SetEncodings.of(encoding, Encodings.JPEG_QUALITY_LEVEL_9));
                ctx.writeAndFlush(new FramebufferUpdateRequest(false, new Rect(0, 0, init.width(), init.height())));
            }
        }
    }

    private static EmbeddedChannel serverChannel(Server server) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("rfb", new ProtocolVersionDecoder());
        channel.pipeline().addLast(RfbMessageEncoder.INSTANCE);
        channel.pipeline().addLast(new FramebufferUpdateEncoder(PixelFormat.RGB888_LE));
        channel.pipeline().addLast(server);
        channel.pipeline().fireChannelActive();
        return channel;
    }

    private static EmbeddedChannel clientChannel(Client client) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("rfb", new ProtocolVersionDecoder());
        channel.pipeline().addLast(RfbMessageEncoder.INSTANCE);
        channel.pipeline().addLast(client);
        return channel;
    }

    /** Moves bytes both ways until neither side writes anything more. */
    private static void shuttle(EmbeddedChannel server, EmbeddedChannel client) {
        boolean moved = true;
        while (moved) {
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

    private static void assertHandshakeAndUpdate(ProtocolVersion version, PixelFormat format, int encoding) {
        Server server = new Server();
        Client client = new Client(version, PASSWORD, format, encoding);
        EmbeddedChannel serverChannel = serverChannel(server);
        EmbeddedChannel clientChannel = clientChannel(client);
        shuttle(serverChannel, clientChannel);
        assertEquals(version.effective(), server.version);
        FramebufferUpdate update = (FramebufferUpdate) client.received.get(client.received.size() - 1);
        PixelRectangle rect = (PixelRectangle) update.rectangles().get(0);
        PixelConverter converter = new PixelConverter(format);
        int[] expected = server.framebuffer.clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] = converter.quantize(expected[i]);
        }
        assertArrayEquals(expected, rect.toArray());
        serverChannel.finishAndReleaseAll();
        clientChannel.finishAndReleaseAll();
    }

    @Test
    void rfb38WithZrleInRgb565() {
        assertHandshakeAndUpdate(ProtocolVersion.V3_8, PixelFormat.RGB565_BE, Encodings.ZRLE);
    }

    @Test
    void rfb37WithHextileInBgr233() {
        assertHandshakeAndUpdate(ProtocolVersion.V3_7, PixelFormat.BGR233, Encodings.HEXTILE);
    }

    @Test
    void rfb33WithRawInRgb888BigEndian() {
        assertHandshakeAndUpdate(ProtocolVersion.V3_3, PixelFormat.RGB888_BE, Encodings.RAW);
    }

    @Test
    void wrongPasswordGetsTheReasonIn38() {
        Server server = new Server();
        Client client = new Client(ProtocolVersion.V3_8, "wrong", PixelFormat.RGB888_LE, Encodings.TIGHT);
        EmbeddedChannel serverChannel = serverChannel(server);
        EmbeddedChannel clientChannel = clientChannel(client);
        shuttle(serverChannel, clientChannel);
        assertEquals(SecurityResult.failed("Authentication failed"), client.received.get(client.received.size() - 1));
        assertTrue(!serverChannel.isOpen());
        clientChannel.finishAndReleaseAll();
    }
}
