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
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.replaydesk.rfb.ClientInit;
import org.replaydesk.rfb.ClientMessage;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.RfbMessage;
import org.replaydesk.rfb.SecurityResult;
import org.replaydesk.rfb.SecurityType;
import org.replaydesk.rfb.SecurityTypeSelection;
import org.replaydesk.rfb.SecurityTypes;
import org.replaydesk.rfb.ServerInit;
import org.replaydesk.rfb.SetPixelFormat;
import org.replaydesk.rfb.codec.ClientInitDecoder;
import org.replaydesk.rfb.codec.ClientMessageDecoder;
import org.replaydesk.rfb.codec.FramebufferUpdateEncoder;
import org.replaydesk.rfb.codec.ProtocolVersionDecoder;
import org.replaydesk.rfb.codec.RfbMessageEncoder;
import org.replaydesk.rfb.codec.SecurityTypeSelectionDecoder;

/**
 * A minimal VNC server on a unix socket standing in for QEMU: RFB 3.8, security None, one client, records every
 * client message, sends updates when told to. Built from the codec library's server side.
 */
final class FakeVncServer implements AutoCloseable {

    final int width;
    final int height;
    final int[] screen;
    final List<ClientMessage> received = new CopyOnWriteArrayList<>();
    /** How long to wait before answering a non-incremental request (QEMU can be slow to send the first update). */
    volatile long fullUpdateDelayMillis;
    private final ServerSocketChannel server;
    private final Path socket;
    private final Object lock = new Object();
    private volatile SocketChannel client;
    private EmbeddedChannel pipeline;
    private final Thread thread;

    FakeVncServer(Path socket, int width, int height) throws IOException {
        this.socket = socket;
        this.width = width;
        this.height = height;
        this.screen = new int[width * height];
        for (int i = 0; i < screen.length; i++) {
            screen[i] = (int) ((i * 2654435761L) & 0xFFFFFF);
        }
        Files.createDirectories(socket.getParent());
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(this::serve, "fake-vnc");
        thread.setDaemon(true);
        thread.start();
    }

    /** Serves clients one after the other (a relay that reopens connects again), like QEMU. */
    private void serve() {
        while (server.isOpen()) {
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                synchronized (lock) {
                    pipeline = new EmbeddedChannel();
                    pipeline.pipeline().addLast("rfb", new ProtocolVersionDecoder());
                    pipeline.pipeline().addLast(RfbMessageEncoder.INSTANCE);
                    pipeline.pipeline().addLast(new FramebufferUpdateEncoder(PixelFormat.RGB888_LE));
                    pipeline.pipeline().addLast(new Handler());
                    pipeline.writeOutbound(ProtocolVersion.V3_8);
                    flush();
                }
                ByteBuffer buffer = ByteBuffer.allocate(65536);
                while (client.read(buffer.clear()) >= 0) {
                    buffer.flip();
                    synchronized (lock) {
                        pipeline.writeInbound(Unpooled.copiedBuffer(buffer));
                        pipeline.checkException();
                        flush();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // this client is gone; wait for the next
            }
            try {
                client.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /** Caller holds the lock. */
    private void flush() throws IOException {
        ByteBuf buf;
        while ((buf = pipeline.readOutbound()) != null) {
            ByteBuffer nio = buf.nioBuffer();
            while (nio.hasRemaining()) {
                client.write(nio);
            }
            buf.release();
        }
    }

    /** Sends an update now, requested or not (the relay always has a request outstanding). */
    void send(FramebufferUpdate update) throws IOException {
        synchronized (lock) {
            pipeline.writeOutbound(update);
            flush();
        }
    }

    /** How many messages of a type arrived. */
    long count(Class<? extends ClientMessage> type) {
        return received.stream().filter(type::isInstance).count();
    }

    private final class Handler extends SimpleChannelInboundHandler<RfbMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RfbMessage msg) throws IOException {
            ChannelPipeline p = ctx.pipeline();
            if (msg instanceof ClientMessage m) {
                received.add(m);
            }
            if (msg instanceof ProtocolVersion) {
                SecurityTypes offered = SecurityTypes.of(SecurityType.NONE);
                p.replace("rfb", "rfb", new SecurityTypeSelectionDecoder(offered));
                ctx.writeAndFlush(offered);
            } else if (msg instanceof SecurityTypeSelection) {
                p.replace("rfb", "rfb", new ClientInitDecoder());
                ctx.writeAndFlush(SecurityResult.SUCCESS);
            } else if (msg instanceof ClientInit) {
                p.replace("rfb", "rfb", new ClientMessageDecoder());
                // Announce a big-endian format: the relay must switch QEMU to its own with SetPixelFormat.
                ctx.writeAndFlush(new ServerInit(width, height, PixelFormat.RGB888_BE, "fake"));
            } else if (msg instanceof SetPixelFormat s) {
                p.get(FramebufferUpdateEncoder.class).setPixelFormat(s.pixelFormat());
            } else if (msg instanceof FramebufferUpdateRequest r && !r.incremental()) {
                try {
                    Thread.sleep(fullUpdateDelayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ctx.writeAndFlush(FramebufferUpdate.of(PixelRectangle.of(Encodings.RAW, r.rect(), screen, width)));
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        if (client != null) {
            client.close();
        }
        Files.deleteIfExists(socket);
    }
}
