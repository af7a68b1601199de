package org.replaydesk.recordlog.internal;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.compression.JdkZlibEncoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber's connection on the server: checks its HELLO, then tails the log file from the requested offset.
 * Everything runs on the channel's event loop: a timer every poll interval reads what the file gained (everything
 * below the current size is final, so each byte is read and sent exactly once), writes DATA frames while the channel
 * is writable (a slow client stops the reading, it never queues the file in memory), and sends a HEARTBEAT every
 * heartbeat interval. The stream ends with END once QEMU has written the log's header (it does so last, after
 * flushing everything else), or with ERROR when the recorder stopped without writing it.
 */
final class ServerSession extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ServerSession.class);
    private static final long HELLO_TIMEOUT_MILLIS = 10_000;
    /** Level 6 compresses record logs 3x (anim) to 14x (idle) at about 0.1 s CPU per MB: see the README. */
    private static final int ZLIB_LEVEL = 6;

    private final RecordLogServer server;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private LogPublication publication;
    private FileChannel file;
    private long sent;
    private long lastHeartbeatNanos;
    private boolean finished;
    private final ByteBuffer headerBuffer = ByteBuffer.allocate(4);

    ServerSession(RecordLogServer server) {
        this.server = server;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        this.ctx = context;
        timer = ctx.executor().schedule(() -> {
            if (publication == null) {
                LOG.info("record-log client {} sent no HELLO within {} ms; closing", ctx.channel().remoteAddress(),
                        HELLO_TIMEOUT_MILLIS);
                ctx.close();
            }
        }, HELLO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (!(msg instanceof HelloFrame hello) || publication != null || finished) {
            refuse(ErrorCode.BAD_REQUEST, "the client may send one HELLO and nothing else");
            return;
        }
        if ((hello.flags() & HelloFrame.FLAG_ZLIB) != 0) {
            // from here on, every frame (ERROR too) goes through zlib; JdkZlibEncoder sync-flushes each write, so
            // compression adds no latency
            ctx.pipeline().addBefore("encoder", "zlib", new JdkZlibEncoder(ZlibWrapper.ZLIB, ZLIB_LEVEL));
        }
        if (hello.version() != Frame.VERSION) {
            refuse(ErrorCode.BAD_REQUEST, "protocol version " + hello.version() + " is not supported; this server "
                    + "speaks version " + Frame.VERSION);
            return;
        }
        if (!server.token().isEmpty() && !MessageDigest.isEqual(server.token().getBytes(StandardCharsets.UTF_8),
                hello.token().getBytes(StandardCharsets.UTF_8))) {
            LOG.warn("record-log client {} gave a wrong token for VM '{}'; refused", ctx.channel().remoteAddress(),
                    hello.vm());
            refuse(ErrorCode.UNAUTHORIZED, "wrong token; set the token the server is configured with");
            return;
        }
        if ((hello.flags() & ~HelloFrame.KNOWN_FLAGS) != 0) {
            refuse(ErrorCode.BAD_REQUEST, "unknown HELLO flags 0x" + Integer.toHexString(hello.flags())
                    + "; this server knows 0x" + Integer.toHexString(HelloFrame.KNOWN_FLAGS) + " (zlib)");
            return;
        }
        VmName vm;
        try {
            vm = VmName.of(hello.vm());
        } catch (ReplayDeskException e) {
            refuse(ErrorCode.BAD_REQUEST, e.getMessage());
            return;
        }
        LogPublication found = server.publication(vm);
        if (found == null) {
            refuse(ErrorCode.NOT_FOUND, "no record log is published for VM '" + vm + "' (published: "
                    + server.published() + ")");
            return;
        }
        publication = found;
        sent = hello.startOffset();
        publication.sessions.add(this);
        LOG.info("record-log client {} streams VM '{}' from offset {}", ctx.channel().remoteAddress(), vm, sent);
        timer.cancel(false);
        long poll = server.pollInterval().toNanos();
        timer = ctx.executor().scheduleWithFixedDelay(this::tick, 0, poll, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        if (ctx.channel().isWritable() && publication != null) {
            tick();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Event loop only. */
    private void tick() {
        if (finished || !ctx.channel().isActive()) {
            return;
        }
        try {
            // Order matters: "stopped" before the header, the header before the size. A non-zero header means QEMU
            // has flushed every other byte, so the size read after it is final.
            boolean stopped = publication.recorderStopped();
            if (!openFile()) {
                heartbeatIfDue();
                if (stopped) {
                    refuse(ErrorCode.LOG_ABORTED, "the recorder of VM '" + publication.vm + "' stopped and its log "
                            + publication.log.getFileName() + " does not exist");
                }
                return;
            }
            byte[] header = readHeader();
            long size = file.size();
            boolean wrote = false;
            while (sent < size && ctx.channel().isWritable()) {
                int length = (int) Math.min(Frame.MAX_DATA_BYTES, size - sent);
                byte[] bytes = new byte[length];
                ByteBuffer target = ByteBuffer.wrap(bytes);
                while (target.hasRemaining()) {
                    if (file.read(target, sent + target.position()) < 0) {
                        throw new IOException("log shrank below " + size + " bytes while being read");
                    }
                }
                ctx.write(new DataFrame(sent, bytes));
                sent += length;
                wrote = true;
            }
            if (wrote) {
                ctx.flush();
            }
            if (sent < size) {
                return; // not writable; channelWritabilityChanged resumes
            }
            heartbeatIfDue();
            if (header != null) {
                if (sent > size) {
                    refuse(ErrorCode.BAD_REQUEST, "start offset " + sent + " is beyond the finished log's "
                            + size + " bytes");
                    return;
                }
                finished = true;
                ctx.writeAndFlush(new EndFrame(size, header)).addListener(ChannelFutureListener.CLOSE);
                LOG.info("record log of VM '{}' sent to {} up to its end at {} bytes", publication.vm,
                        ctx.channel().remoteAddress(), size);
            } else if (stopped) {
                refuse(ErrorCode.LOG_ABORTED, "the recorder of VM '" + publication.vm + "' stopped without finishing "
                        + "its log (killed or crashed?); the log ends at " + size + " bytes with no header, so "
                        + "no replay can use it to the end");
            }
        } catch (IOException e) {
            LOG.warn("cannot read record log {} of VM '{}': {}", publication.log, publication.vm, e.toString());
            refuse(ErrorCode.SERVER_ERROR, "the server cannot read the log of VM '" + publication.vm + "': " + e);
        }
    }

    private boolean openFile() throws IOException {
        if (file == null) {
            try {
                file = FileChannel.open(publication.log, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return false; // QEMU has not created it yet
            }
        }
        return true;
    }

    /** @return the final bytes 0-3, or null while QEMU has not written them yet (they are zero until then) */
    private byte[] readHeader() throws IOException {
        headerBuffer.clear();
        while (headerBuffer.hasRemaining()) {
            if (file.read(headerBuffer, headerBuffer.position()) < 0) {
                return null;
            }
        }
        byte[] header = headerBuffer.array().clone();
        return header[0] == 0 && header[1] == 0 && header[2] == 0 && header[3] == 0 ? null : header;
    }

    private void heartbeatIfDue() {
        long now = System.nanoTime();
        if (lastHeartbeatNanos == 0 || now - lastHeartbeatNanos >= server.heartbeatInterval().toNanos()) {
            lastHeartbeatNanos = now;
            ctx.writeAndFlush(new HeartbeatFrame(System.currentTimeMillis(), sent, publication.icount()));
        }
    }

    /** Ends the stream with an ERROR frame; may be called from any thread. */
    void stop(ErrorCode code, String reason) {
        ctx.executor().execute(() -> refuse(code, reason));
    }

    private void refuse(ErrorCode code, String reason) {
        if (finished) {
            return;
        }
        finished = true;
        ctx.writeAndFlush(new ErrorFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            LOG.info("TLS handshake with record-log client {} failed: {}", ctx.channel().remoteAddress(),
                    done.cause().toString());
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof ProtocolException) {
            LOG.info("record-log client {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
            refuse(ErrorCode.BAD_REQUEST, cause.getMessage());
        } else {
            LOG.debug("record-log client {} failed", ctx.channel().remoteAddress(), cause);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        finished = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (publication != null) {
            publication.sessions.remove(this);
        }
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                LOG.debug("closing {}", publication.log, e);
            }
        }
        ctx.fireChannelInactive();
    }

    /** @return the channel, for tests that drop it */
    io.netty.channel.Channel channel() {
        return ctx.channel();
    }
}
