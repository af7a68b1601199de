package org.replaydesk.display.vnc.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.replaydesk.display.vnc.ViewerInfo;
import org.replaydesk.rfb.ClientCutText;
import org.replaydesk.rfb.ClientInit;
import org.replaydesk.rfb.ColourMap;
import org.replaydesk.rfb.CursorRectangle;
import org.replaydesk.rfb.EnableContinuousUpdates;
import org.replaydesk.rfb.EndOfContinuousUpdates;
import org.replaydesk.rfb.Fence;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.KeyEvent;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PointerEvent;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.QemuExtendedKeyEvent;
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
 * <p>Server push: a viewer that announces ContinuousUpdates and enables them gets updates whenever there is damage
 * and its link can take them, without asking; the others get one update per request. Either way an update leaves only
 * while the channel is writable (Netty's write-buffer water marks), and the update is cut to what the link can take
 * now: the pending rectangles go smallest first (shortest remaining size first, as in MobiDesk) until the estimated
 * encoded size fills the room left in the write buffer; the rest stays pending and keeps coalescing. So on a slow link
 * small changes (a typed character, a cursor) overtake a large repaint, and after {@link #MAX_DEFERRALS} cut updates
 * in a row everything goes, so nothing starves.
 *
 * <p>Traffic: the viewer's {@link TrafficMeter} counts the encoded updates as {@link UpdateMeteringHandler} sees them
 * leave the pipeline; {@link #info} reads it, and the fields it reads are volatile, from any thread.
 */
final class ViewerHandler extends SimpleChannelInboundHandler<RfbMessage> {

    private static final Logger LOG = LoggerFactory.getLogger(ViewerHandler.class);

    /** Cut updates in a row after which a viewer gets all its pending damage at once. */
    static final int MAX_DEFERRALS = 4;

    /** Smallest room an update is cut to: a few tiles' worth, so progress never stops. */
    static final int MIN_UPDATE_BUDGET = 16 * 1024;

    /**
     * The palette of colour-mapped (8 bpp) viewers: a 6x7x6 colour cube (green gets the extra level, as the eye is
     * most sensitive to it) plus 4 greys, 256 entries.
     */
    static final ColourMap PALETTE = palette();

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
    private volatile boolean viewOnly;
    /** Which of this viewer's pointer events count as interaction; event loop only. */
    private final PointerMotionThrottle pointerThrottle = new PointerMotionThrottle();
    private final java.util.concurrent.atomic.LongAdder forwardedInput = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder droppedInput = new java.util.concurrent.atomic.LongAdder();
    private boolean continuousSupported;
    private boolean continuousAnnounced;
    private boolean continuous;
    private Rect continuousArea;
    private boolean fenceAnnounced;
    private boolean extendedKeysSupported;
    private boolean extendedKeysAcked;
    private boolean cursorSupported;
    private CursorRectangle pendingCursor;
    private boolean colourMapPending;
    private int deferrals;
    /** TLS viewers with fences: a nudge is scheduled or awaited (see {@link #scheduleNudge}). */
    private boolean nudgeScheduled;
    private boolean nudgeAwaited;
    private boolean writtenSinceNudge;
    private int nudgesUnanswered;
    private boolean fenceSupported;
    /** Encoded bytes per raw pixel byte, learnt from what was sent; starts pessimistic. */
    private double compressionRatio = 1.0;
    private int width;
    private int height;
    private volatile ChannelHandlerContext context;

    ViewerHandler(Relay relay, ViewerSecurity security) {
        this.relay = relay;
        this.securityHandshake = new ViewerSecurityHandshake(security, relay.name());
        this.traffic = new TrafficMeter(relay.nanoClock());
        this.connectedSince = Instant.now();
    }

    private static ColourMap palette() {
        int[] colours = new int[256];
        int i = 0;
        for (int r = 0; r < 6; r++) {
            for (int g = 0; g < 7; g++) {
                for (int b = 0; b < 6; b++) {
                    colours[i++] = (r * 255 / 5) << 16 | (g * 255 / 6) << 8 | (b * 255 / 5);
                }
            }
        }
        for (int grey : new int[] {0x33, 0x66, 0x99, 0xCC}) {
            colours[i++] = grey << 16 | grey << 8 | grey;
        }
        return ColourMap.ofRgb(colours);
    }

    /** @return the connection's id, unique while it lasts */
    String id() {
        ChannelHandlerContext ctx = context;
        return ctx == null ? "" : ctx.channel().id().asShortText();
    }

    /** @return keyboard, pointer and clipboard events this viewer sent that went to the VM */
    long forwardedInput() {
        return forwardedInput.sum();
    }

    /** @return input events this viewer sent while view-only (dropped) */
    long droppedInput() {
        return droppedInput.sum();
    }

    /** @param on whether this viewer's input is dropped */
    void setViewOnly(boolean on) {
        viewOnly = on;
        LOG.info("viewer {} of {} is {}", id(), relay.name(), on ? "view-only" : "in control");
    }

    /** Closes the connection (operator's request). */
    void disconnect() {
        ChannelHandlerContext ctx = context;
        if (ctx != null) {
            LOG.info("disconnecting viewer {} of {}", id(), relay.name());
            ctx.close();
        }
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
                TrafficMeter.encodingName(encoding), summary(pixelFormat), viewOnly, connectedSince,
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
            if (viewOnly) {
                droppedInput.increment();
            } else {
                forwardedInput.increment();
                relay.upstream((RfbMessage) msg);
                if (msg instanceof KeyEvent || msg instanceof PointerEvent pointer
                        && pointerThrottle.counts(pointer.buttonMask(), relay.nanoClock().getAsLong())) {
                    relay.inputCounted();
                }
            }
        } else if (msg instanceof QemuExtendedKeyEvent key) {
            if (viewOnly) {
                droppedInput.increment();
            } else {
                forwardedInput.increment();
                // Scancodes pass through when the source understands them, else the keysym still types.
                relay.upstream(relay.upstreamSupportsExtendedKeys() ? key : new KeyEvent(key.down(), key.keysym()));
                relay.inputCounted();
            }
        } else if (msg instanceof SetPixelFormat s) {
            FramebufferUpdateEncoder encoder = ctx.pipeline().get(FramebufferUpdateEncoder.class);
            if (s.pixelFormat().trueColour()) {
                encoder.setPixelFormat(s.pixelFormat());
            } else {
                // Colour-mapped viewers get the fixed palette, announced before the next update.
                encoder.setPixelFormat(s.pixelFormat(), PALETTE);
                colourMapPending = true;
            }
            pixelFormat = s.pixelFormat();
            // Everything the viewer has is in the old format: RFB clients expect a full refresh after a change.
            pending.addAll(width, height);
            LOG.debug("viewer {} of {} set pixel format {}", ctx.channel().remoteAddress(), relay.name(),
                    s.pixelFormat());
        } else if (msg instanceof SetEncodings s) {
            FramebufferUpdateEncoder encoder = ctx.pipeline().get(FramebufferUpdateEncoder.class);
            encoder.setEncodings(s);
            encoder.tight().setJpegQuality(DisplayQuality.effective(relay.quality(), s.jpegQuality()));
            encoding = choose(s);
            desktopSizeSupported = s.supports(Encodings.DESKTOP_SIZE);
            cursorSupported = s.supports(Encodings.CURSOR);
            if (cursorSupported) {
                pendingCursor = relay.cursor().orElse(null);
            }
            extendedKeysSupported = s.supports(Encodings.QEMU_EXTENDED_KEY_EVENT);
            continuousSupported = s.supports(Encodings.CONTINUOUS_UPDATES);
            if (continuousSupported && !continuousAnnounced) {
                // The first EndOfContinuousUpdates tells the viewer the server can push.
                continuousAnnounced = true;
                ctx.write(EndOfContinuousUpdates.INSTANCE);
            }
            fenceSupported = s.supports(Encodings.FENCE);
            if (fenceSupported && !fenceAnnounced) {
                // A fence request tells the viewer the server understands fences (TigerVNC enables continuous
                // updates only then); the viewer's answer needs no action.
                fenceAnnounced = true;
                ctx.write(new Fence(Fence.REQUEST | Fence.BLOCK_BEFORE | Fence.BLOCK_AFTER | Fence.SYNC_NEXT,
                        new byte[0]));
            }
            ctx.flush();
            LOG.debug("viewer {} of {} gets {} (asked for {})", ctx.channel().remoteAddress(), relay.name(),
                    Encodings.name(encoding), s.encodings());
            trySend(ctx);
        } else if (msg instanceof EnableContinuousUpdates e) {
            if (!continuousSupported) {
                throw new IllegalStateException("EnableContinuousUpdates without announcing the ContinuousUpdates "
                        + "pseudo-encoding");
            }
            continuous = e.enable();
            continuousArea = e.rect();
            if (continuous) {
                pending.add(e.rect(), width, height);
                trySend(ctx);
            } else {
                ctx.writeAndFlush(EndOfContinuousUpdates.INSTANCE);
            }
        } else if (msg instanceof Fence f) {
            if ((f.flags() & Fence.REQUEST) == 0 && java.util.Arrays.equals(f.payload(), NUDGE)) {
                // The viewer has processed everything up to the nudge.
                nudgeAwaited = false;
                nudgesUnanswered = 0;
            } else if ((f.flags() & Fence.REQUEST) != 0) {
                // Messages are handled and answered in order, so every flag we know is honoured by construction.
                int known = Fence.BLOCK_BEFORE | Fence.BLOCK_AFTER | Fence.SYNC_NEXT;
                ctx.writeAndFlush(new Fence(f.flags() & known, f.payload()));
            }
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
        // SetDesktopSize: the VM decides its size; ignored.
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

    /**
     * A new pointer shape from the pixel source; called from the upstream reader thread.
     *
     * @param shape the shape
     */
    void cursorChanged(CursorRectangle shape) {
        ChannelHandlerContext ctx = context;
        if (ctx == null) {
            return;
        }
        ctx.executor().execute(() -> {
            if (cursorSupported) {
                pendingCursor = shape;
                trySend(ctx);
            }
        });
    }

    /** Learns the encoded size per raw byte from an update that was just written. */
    private void measured(long rawBytes, long encodedBytes) {
        if (rawBytes > 0) {
            double ratio = (double) encodedBytes / rawBytes;
            compressionRatio = 0.7 * compressionRatio + 0.3 * Math.min(1.5, ratio);
        }
    }

    private void trySend(ChannelHandlerContext ctx) {
        boolean asked = updateRequested || continuous;
        if (!normalPhase || !asked || !ctx.channel().isWritable()) {
            return;
        }
        boolean announce = extendedKeysSupported && !extendedKeysAcked;
        if (pending.isEmpty() && !sizeChanged && pendingCursor == null && !announce && !colourMapPending) {
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
        if (announce) {
            extendedKeysAcked = true;
            rects.add(PseudoRectangle.qemuExtendedKeyEventAck());
        }
        if (pendingCursor != null) {
            rects.add(pendingCursor);
            pendingCursor = null;
        }
        if (colourMapPending) {
            colourMapPending = false;
            ctx.write(PALETTE.toMessage(0, PALETTE.size()));
        }
        long rawBytes = 0;
        FramebufferMirror mirror = relay.mirror();
        synchronized (mirror) {
            // Under the mirror's lock so that the size cannot change between the check and the copies.
            if (mirror.width() != width || mirror.height() != height) {
                return; // a resize is on its way through damage(); send after it
            }
            for (Rect r : pickForLink(ctx)) {
                rects.add(mirror.copy(encoding, r));
                rawBytes += (long) r.area() * (pixelFormat.bitsPerPixel() / 8);
            }
        }
        if (rects.isEmpty()) {
            return;
        }
        updateRequested = false;
        // The encoders run synchronously inside this write, and the metering handler reports the encoded length
        // through encoded(); the ratio then sizes the next cut.
        rawOfUpdateBeingWritten = rawBytes;
        ctx.writeAndFlush(new FramebufferUpdate(rects));
        rawOfUpdateBeingWritten = 0;
        scheduleNudge(ctx);
    }

    /** Payload of the fences {@link #scheduleNudge} sends. */
    static final byte[] NUDGE = "rd-nudge".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** Quiet time after an update before a TLS viewer is nudged. */
    static final long NUDGE_DELAY_MILLIS = 40;
    /** Nudges sent for one burst at most (a full frame of small rectangles needs a few dozen). */
    static final int MAX_NUDGES = 200;

    /**
     * Works around TigerVNC 1.12 over TLS: it looks for more input only when its socket becomes readable, but GnuTLS
     * may already have pulled the rest of an update off the socket, so the last messages of a burst sit in the
     * viewer unprocessed until something else arrives (with a paused VM: never). After a quiet moment a TLS viewer
     * that understands fences gets a fence request; each one makes the viewer process what it holds, and its
     * answer (the fence comes back after everything before it) ends the nudging. Viewers without TLS or fences
     * are never nudged; a viewer that keeps drawing costs a 16-byte fence per quiet moment.
     */
    private void scheduleNudge(ChannelHandlerContext ctx) {
        if (!fenceSupported || ctx.pipeline().get(ViewerSecurityHandshake.TLS_HANDLER) == null) {
            return;
        }
        writtenSinceNudge = true;
        if (nudgeScheduled) {
            return;
        }
        nudgeScheduled = true;
        ctx.executor().schedule(() -> nudge(ctx), NUDGE_DELAY_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void nudge(ChannelHandlerContext ctx) {
        nudgeScheduled = false;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (writtenSinceNudge) {
            writtenSinceNudge = false;
            nudgeAwaited = true;
            nudgesUnanswered = 0;
        }
        if (!nudgeAwaited || nudgesUnanswered >= MAX_NUDGES) {
            return;
        }
        nudgesUnanswered++;
        ctx.writeAndFlush(new Fence(Fence.REQUEST, NUDGE));
        nudgeScheduled = true;
        ctx.executor().schedule(() -> nudge(ctx), NUDGE_DELAY_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Raw size of the update inside the current write; event loop only. */
    private long rawOfUpdateBeingWritten;

    /**
     * Called by {@link UpdateMeteringHandler}, on this viewer's event loop, with the encoded length of the update
     * being written.
     *
     * @param length encoded bytes
     */
    void encoded(long length) {
        measured(rawOfUpdateBeingWritten, length);
    }

    /**
     * Takes the pending rectangles that fit the room in the write buffer, smallest first; puts the rest back.
     * Continuous updates outside the viewer's chosen area stay pending until it asks for them.
     */
    private List<Rect> pickForLink(ChannelHandlerContext ctx) {
        List<Rect> all = new ArrayList<>(pending.drain());
        if (continuous && !updateRequested && continuousArea != null) {
            List<Rect> inside = new ArrayList<>();
            for (Rect r : all) {
                Rect in = intersect(r, continuousArea);
                if (in != null) {
                    inside.add(in);
                }
                for (Rect out : subtract(r, continuousArea)) {
                    pending.add(out, width, height);
                }
            }
            all = inside;
        }
        all.sort(Comparator.comparingLong(Rect::area));
        long room = Math.max(MIN_UPDATE_BUDGET, ctx.channel().bytesBeforeUnwritable());
        double bytesPerPixel = Math.max(1, pixelFormat.bitsPerPixel() / 8) * compressionRatio;
        List<Rect> chosen = new ArrayList<>();
        double estimate = 0;
        for (Rect r : all) {
            double size = r.area() * bytesPerPixel;
            if (!chosen.isEmpty() && estimate + size > room && deferrals < MAX_DEFERRALS) {
                pending.add(r, width, height);
            } else {
                chosen.add(r);
                estimate += size;
            }
        }
        deferrals = chosen.size() < all.size() ? deferrals + 1 : 0;
        return chosen;
    }

    static Rect intersect(Rect a, Rect b) {
        int x0 = Math.max(a.x(), b.x());
        int y0 = Math.max(a.y(), b.y());
        int x1 = Math.min(a.x() + a.width(), b.x() + b.width());
        int y1 = Math.min(a.y() + a.height(), b.y() + b.height());
        return x0 < x1 && y0 < y1 ? new Rect(x0, y0, x1 - x0, y1 - y0) : null;
    }

    /** @return the parts of {@code a} outside {@code b}: at most four rectangles */
    static List<Rect> subtract(Rect a, Rect b) {
        Rect in = intersect(a, b);
        if (in == null) {
            return List.of(a);
        }
        List<Rect> out = new ArrayList<>(4);
        int ax1 = a.x() + a.width();
        int ay1 = a.y() + a.height();
        int iy1 = in.y() + in.height();
        int ix1 = in.x() + in.width();
        if (in.y() > a.y()) {
            out.add(new Rect(a.x(), a.y(), a.width(), in.y() - a.y()));
        }
        if (iy1 < ay1) {
            out.add(new Rect(a.x(), iy1, a.width(), ay1 - iy1));
        }
        if (in.x() > a.x()) {
            out.add(new Rect(a.x(), in.y(), in.x() - a.x(), in.height()));
        }
        if (ix1 < ax1) {
            out.add(new Rect(ix1, in.y(), ax1 - ix1, in.height()));
        }
        return out;
    }
}
