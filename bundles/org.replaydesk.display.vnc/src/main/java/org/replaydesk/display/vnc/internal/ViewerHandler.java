package org.replaydesk.display.vnc.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.replaydesk.display.vnc.ViewerInfo;
import org.replaydesk.rfb.ClientCutText;
import org.replaydesk.rfb.ClientInit;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.KeyEvent;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PointerEvent;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.PseudoRectangle;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.RfbMessage;
import org.replaydesk.rfb.ServerInit;
import org.replaydesk.rfb.SetEncodings;
import org.replaydesk.rfb.SetPixelFormat;
import org.replaydesk.rfb.UpdateRectangle;
import org.replaydesk.rfb.codec.ClientInitDecoder;
import org.replaydesk.rfb.codec.ClientMessageDecoder;
import org.replaydesk.rfb.codec.FramebufferUpdateEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer of a display: the server-side handshake (3.3, 3.7, 3.8; the security phase, None, VNC authentication or
 * VeNCrypt with TLS, runs in {@link ViewerSecurityHandshake}), then updates
 * from the mirror in the viewer's pixel format and preferred encoding, and input forwarded upstream.
 *
 * <p>Flow control: the viewer's pending damage lives here, touched only on the channel's event loop. Upstream
 * changes arrive through {@link #damage} (posted to the event loop, never blocking the upstream reader); an update is
 * written only when the viewer has asked for one and the channel is writable, so a slow viewer just accumulates a
 * coalesced, bounded {@link DamageRegion} and gets the newest pixels once it catches up.
 *
 * <p>Traffic: the viewer's {@link TrafficMeter} counts the encoded updates as {@link UpdateMeteringHandler} sees them
 * leave the pipeline; {@link #info} reads it, and the fields it reads are volatile, from any thread.
 */
final class ViewerHandler extends SimpleChannelInboundHandler<RfbMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(ViewerHandler.class);

    /** Encodings for pixel data in the order used when a viewer's list does not decide. */
    private static final List<Integer> PIXEL_ENCODINGS = List.of(Encodings.TIGHT, Encodings.ZRLE,
            Encodings.HEXTILE, Encodings.RAW);

    private final Relay relay;
    private final ViewerSecurityHandshake securityHandshake;
    private final DamageRegion pending = new DamageRegion();
    private final TrafficMeter traffic;
    private final Instant connectedSince;
    private volatile ProtocolVersion version;
    private volatile PixelFormat pixelFormat = PixelFormat.RGB888_LE;
    private boolean normalPhase;
    private boolean updateRequested;
    private boolean sizeChanged;
    private boolean desktopSizeSupported;
    private volatile int encoding = Encodings.RAW;
    private int width;
    private int height;
    private volatile ChannelHandlerContext context;

    ViewerHandler(Relay relay, ViewerSecurity security) {
        this.relay = relay;
        this.securityHandshake = new ViewerSecurityHandshake(security, relay.name());
        this.traffic = new TrafficMeter(relay.nanoClock());
        this.connectedSince = Instant.now();
    }

    /** @return the viewer's meter (the pipeline's {@link UpdateMeteringHandler} feeds it) */
    TrafficMeter traffic() {
        return traffic;
    }

    /** @return the pixel encoding of this viewer's updates; read by {@link UpdateMeteringHandler} */
    int encoding() {
        return encoding;
    }

    /** @return a snapshot of this viewer; empty before the handler is in a pipeline */
    Optional<ViewerInfo> info() {
        ChannelHandlerContext ctx = context;
        if (ctx == null) {
            return Optional.empty();
        }
        SocketAddress remote = ctx.channel().remoteAddress();
        ProtocolVersion v = version;
        return Optional.of(new ViewerInfo(ctx.channel().id().asShortText(),
                remote != null ? remote : ctx.channel().localAddress(), v == null ? "" : v.major() + "." + v.minor(),
                TrafficMeter.encodingName(encoding), summary(pixelFormat), false, connectedSince,
                traffic.snapshot()));
    }

    /** @return e.g. "32bpp depth 24 little-endian true colour" */
    static String summary(PixelFormat f) {
        return f.bitsPerPixel() + "bpp depth " + f.depth() + (f.bigEndian() ? " big-endian" : " little-endian")
                + (f.trueColour() ? " true colour" : " colour map");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(ProtocolVersion.V3_8);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        relay.viewerGone(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.info("viewer {} of {} dropped: {}", ctx.channel().remoteAddress(), relay.name(), cause.toString());
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        trySend(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RfbMessage msg) {
        ChannelPipeline p = ctx.pipeline();
        if (msg instanceof FramebufferUpdateRequest request) {
            if (!request.incremental()) {
                pending.add(request.rect(), width, height);
            }
            updateRequested = true;
            trySend(ctx);
        } else if (msg instanceof PointerEvent || msg instanceof KeyEvent || msg instanceof ClientCutText) {
            relay.upstream((RfbMessage) msg);
        } else if (msg instanceof SetPixelFormat s) {
            if (!s.pixelFormat().trueColour()) {
                throw new IllegalStateException("colour-mapped pixel formats are not supported; "
                        + "set the viewer to true colour");
            }
            ctx.pipeline().get(FramebufferUpdateEncoder.class).setPixelFormat(s.pixelFormat());
            pixelFormat = s.pixelFormat();
            LOG.debug("viewer {} of {} set pixel format {}", ctx.channel().remoteAddress(), relay.name(),
                    s.pixelFormat());
        } else if (msg instanceof SetEncodings s) {
            ctx.pipeline().get(FramebufferUpdateEncoder.class).setEncodings(s);
            encoding = choose(s);
            desktopSizeSupported = s.supports(Encodings.DESKTOP_SIZE);
            LOG.debug("viewer {} of {} gets {} (asked for {})", ctx.channel().remoteAddress(), relay.name(),
                    Encodings.name(encoding), s.encodings());
        } else if (msg instanceof ProtocolVersion v) {
            version = ProtocolVersion.V3_8.min(v);
            securityHandshake.start(ctx, version);
        } else if (ViewerSecurityHandshake.handles(msg)) {
            securityHandshake.handle(ctx, msg);
        } else if (msg instanceof ClientInit) {
            p.replace("rfb", "rfb", new ClientMessageDecoder());
            // Size and damage are read on this event loop from now on; the mirror size is current.
            width = relay.mirror().width();
            height = relay.mirror().height();
            normalPhase = true;
            ctx.writeAndFlush(new ServerInit(width, height, PixelFormat.RGB888_LE, relay.name()));
            LOG.info("viewer {} connected to {} (RFB {}.{})", ctx.channel().remoteAddress(), relay.name(),
                    version.major(), version.minor());
        }
        // SetDesktopSize, Fence, EnableContinuousUpdates...: not offered, so not expected; ignored.
    }

    /** The first pixel encoding in the viewer's list that the codec library encodes; Raw if none. */
    static int choose(SetEncodings s) {
        for (int e : s.encodings()) {
            if (PIXEL_ENCODINGS.contains(e)) {
                return e;
            }
        }
        return Encodings.RAW;
    }

    /**
     * Records upstream damage; called from the upstream reader thread, runs on this viewer's event loop.
     *
     * @param change what changed
     */
    void damage(FramebufferMirror.Change change) {
        ChannelHandlerContext ctx = context;
        if (ctx == null) {
            return;
        }
        ctx.executor().execute(() -> {
            if (!normalPhase) {
                return;
            }
            if (change.resized()) {
                sizeChanged = true;
                width = relay.mirror().width();
                height = relay.mirror().height();
                pending.addAll(width, height);
            } else {
                for (Rect r : change.damage()) {
                    pending.add(r, width, height);
                }
            }
            trySend(ctx);
        });
    }

    private void trySend(ChannelHandlerContext ctx) {
        if (!normalPhase || !updateRequested || !ctx.channel().isWritable()) {
            return;
        }
        if (pending.isEmpty() && !sizeChanged) {
            return; // hold the request until something changes
        }
        List<UpdateRectangle> rects = new ArrayList<>();
        if (sizeChanged) {
            sizeChanged = false;
            if (desktopSizeSupported) {
                rects.add(PseudoRectangle.desktopSize(width, height));
            } else {
                LOG.info("viewer {} of {} cannot resize (no DesktopSize); closing it", ctx.channel().remoteAddress(),
                        relay.name());
                ctx.close();
                return;
            }
        }
        FramebufferMirror mirror = relay.mirror();
        synchronized (mirror) {
            // Under the mirror's lock so that the size cannot change between the check and the copies.
            if (mirror.width() != width || mirror.height() != height) {
                return; // a resize is on its way through damage(); send after it
            }
            for (Rect r : pending.drain()) {
                rects.add(mirror.copy(encoding, r));
            }
        }
        updateRequested = false;
        ctx.writeAndFlush(new FramebufferUpdate(rects));
    }
}
