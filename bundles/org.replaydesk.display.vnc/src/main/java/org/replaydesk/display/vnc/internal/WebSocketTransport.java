package org.replaydesk.display.vnc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFB over WebSocket, as noVNC and other browser viewers speak it: an HTTP/1.1 upgrade on any path (noVNC's default
 * is {@code /websockify}), then binary messages that carry the RFB byte stream; message boundaries mean nothing.
 * After the upgrade the channel gets the same RFB pipeline as a TCP viewer, behind an adapter that unwraps inbound
 * frames into bytes and wraps outbound bytes into binary frames.
 *
 * <p>Text frames are refused (the old base64 sub-protocol is not supported; noVNC uses binary since 1.0). A plain
 * HTTP request gets 400 with a short explanation, so someone pointing a browser at the port learns what it is.
 */
final class WebSocketTransport {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);

    /** Largest WebSocket message accepted from a viewer; RFB client messages are small. */
    static final int MAX_FRAME = 64 * 1024;

    private WebSocketTransport() {
    }

    /**
     * Installs the HTTP upgrade on a new channel; once the upgrade completes, {@code rfbPipeline} adds the RFB
     * handlers and the viewer's handshake starts.
     *
     * @param ch a freshly accepted channel
     * @param rfbPipeline adds the RFB handlers (the relay's {@code initViewerChannel})
     */
    static void install(Channel ch, Consumer<Channel> rfbPipeline) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(new HttpServerCodec());
        p.addLast(new HttpObjectAggregator(8192));
        p.addLast(new PlainHttpAnswer());
        p.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true)
                .subprotocols("binary")
                .handshakeTimeoutMillis(10_000)
                .decoderConfig(WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(MAX_FRAME).build())
                .build()));
        p.addLast(new FrameAdapter(rfbPipeline));
        p.addLast(new MessageToMessageEncoder<ByteBuf>() {
            @Override
            protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
                out.add(new BinaryWebSocketFrame(msg.retain()));
            }
        });
    }

    /** Unwraps binary frames; answers non-WebSocket HTTP; starts the RFB pipeline after the upgrade. */
    private static final class FrameAdapter extends ChannelInboundHandlerAdapter {

        private final Consumer<Channel> rfbPipeline;

        FrameAdapter(Consumer<Channel> rfbPipeline) {
            this.rfbPipeline = rfbPipeline;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete complete) {
                LOG.debug("WebSocket viewer {} upgraded on {} (sub-protocol {})", ctx.channel().remoteAddress(),
                        complete.requestUri(), complete.selectedSubprotocol());
                rfbPipeline.accept(ctx.channel());
                // The RFB handlers were added after the channel became active: start their handshake now.
                ctx.fireChannelActive();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // Nothing after this handler exists yet; the RFB side is activated after the upgrade.
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
                ByteBuf content = ((WebSocketFrame) msg).content();
                ctx.fireChannelRead(content);
            } else if (msg instanceof WebSocketFrame frame) {
                frame.release();
                LOG.info("WebSocket viewer {} sent a text frame; closing", ctx.channel().remoteAddress());
                ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                        "RFB is carried in binary frames")).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.fireChannelRead(msg);
            }
        }
    }

    /** Answers HTTP requests that are not a WebSocket upgrade (a browser pointed at the port). */
    private static final class PlainHttpAnswer extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest request
                    && !request.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true)) {
                request.release();
                DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.BAD_REQUEST, Unpooled.copiedBuffer("This is a ReplayDesk display: "
                                + "connect with a WebSocket RFB viewer such as noVNC.\n", StandardCharsets.UTF_8));
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.fireChannelRead(msg);
            }
        }
    }
}
