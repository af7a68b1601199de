package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.codec.ProtocolVersionDecoder;
import org.replaydesk.rfb.codec.RfbMessageEncoder;

/**
 * The WebSocket endpoint with Netty's WebSocket client (the browser test with noVNC is in the real-viewer tests):
 * upgrade on noVNC's path, RFB handshake and the first frame through binary messages; plain HTTP gets an explanation.
 */
class WebSocketViewerTest {

    private Path tmp;
    private NioEventLoopGroup group;

    @BeforeEach
    void setUp() throws Exception {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdws");
        group = new NioEventLoopGroup(2);
    }

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        try (Stream<Path> files = Files.walk(tmp)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aWebSocketViewerGetsTheScreenAndPlainHttpIsToldWhatThisIs() throws Exception {
        DisplaySource source = DisplaySource.unixSocket(tmp.resolve("vnc.sock"));
        try (FakeVncServer vm = new FakeVncServer(source.unixSocket(), 64, 48);
                Relay relay = new Relay("ws", source, new InetSocketAddress("127.0.0.1", 0), ViewerSecurity.none(), 
                        group, r -> { }).withWebSocket(new InetSocketAddress("127.0.0.1", 0))) {
            relay.start(Duration.ofSeconds(5));
            InetSocketAddress ws = relay.webSocketAddress();
            assertTrue(ws.getPort() > 0);

            ViewerHandshakeTest.Viewer viewer = new ViewerHandshakeTest.Viewer(ProtocolVersion.V3_8, null,
                    PixelFormat.RGB888_LE, Encodings.TIGHT);
            URI uri = URI.create("ws://127.0.0.1:" + ws.getPort() + "/websockify");
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                                    new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory
                                            .newHandshaker(uri, WebSocketVersion.V13, "binary", false,
                                                    new DefaultHttpHeaders(), 1 << 24)),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            ctx.fireChannelRead(msg instanceof BinaryWebSocketFrame f
                                                    ? f.content() : msg);
                                        }
                                    },
                                    new MessageToMessageEncoder<ByteBuf>() {
                                        @Override
                                        protected void encode(ChannelHandlerContext ctx, ByteBuf msg,
                                                List<Object> out) {
                                            out.add(new BinaryWebSocketFrame(msg.retain()));
                                        }
                                    });
                            c.pipeline().addLast("rfb", new ProtocolVersionDecoder());
                            c.pipeline().addLast(RfbMessageEncoder.INSTANCE);
                            c.pipeline().addLast(viewer);
                        }
                    }).connect(ws).sync().channel();
            RelayEndToEndTest.await("first update over WebSocket", Duration.ofSeconds(5),
                    () -> viewer.updates().size() == 1);
            int[] shown = new int[64 * 48];
            for (var r : viewer.updates().get(0).rectangles()) {
                if (r instanceof PixelRectangle p) {
                    int[] px = p.toArray();
                    for (int row = 0; row < p.rect().height(); row++) {
                        System.arraycopy(px, row * p.rect().width(), shown, (p.rect().y() + row) * 64
                                + p.rect().x(), p.rect().width());
                    }
                }
            }
            assertArrayEquals(vm.screen, shown);
            assertEquals(1, relay.viewers().size());
            assertEquals("Tight", relay.viewers().get(0).encoding());
            ch.close().sync();

            try (Socket http = new Socket(ws.getAddress(), ws.getPort())) {
                http.setSoTimeout(5000);
                OutputStream out = http.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = http.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(response.startsWith("HTTP/1.1 400"), response);
                assertTrue(response.contains("noVNC"), response);
            }
        }
    }
}
