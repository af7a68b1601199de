package org.replaydesk.rfb.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import org.replaydesk.rfb.ColourMap;
import org.replaydesk.rfb.CopyRectangle;
import org.replaydesk.rfb.CursorRectangle;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.ExtendedDesktopSizeRectangle;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.PseudoRectangle;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.ServerMessage;
import org.replaydesk.rfb.SetEncodings;
import org.replaydesk.rfb.UpdateRectangle;
import org.replaydesk.rfb.encoding.HextileEncoding;
import org.replaydesk.rfb.encoding.PixelConverter;
import org.replaydesk.rfb.encoding.RawEncoding;
import org.replaydesk.rfb.encoding.TightEncoder;
import org.replaydesk.rfb.encoding.ZrleEncoder;

/**
 * Server side: encodes {@link FramebufferUpdate}s for one client. Not {@code @Sharable}: it holds the client's pixel
 * format and colour map and the ZRLE and Tight zlib streams, which must see every rectangle of that connection in
 * order. The application keeps it in step with the client: {@link #setPixelFormat} on SetPixelFormat,
 * {@link #setEncodings} on SetEncodings (JPEG quality and compression level pseudo-encodings).
 *
 * <p>Tight rectangles wider than {@link TightEncoder#MAX_WIDTH} or larger than {@link TightEncoder#MAX_PIXELS} are
 * split into several rectangles; the count in the header is the number actually written (or 0xFFFF if the update
 * ends with LastRect, which is then kept last).
 */
public final class FramebufferUpdateEncoder extends MessageToByteEncoder<FramebufferUpdate> {

    private PixelConverter converter;
    private final ZrleEncoder zrle = new ZrleEncoder();
    private final TightEncoder tight = new TightEncoder();

    /**
     * @param pixelFormat the format announced in ServerInit (true colour)
     */
    public FramebufferUpdateEncoder(PixelFormat pixelFormat) {
        super(FramebufferUpdate.class);
        this.converter = new PixelConverter(pixelFormat);
    }

    /**
     * @param pixelFormat format the client asked for; a colour-mapped one needs {@link #setPixelFormat(PixelFormat,
     *        ColourMap)}
     */
    public void setPixelFormat(PixelFormat pixelFormat) {
        this.converter = new PixelConverter(pixelFormat);
    }

    /**
     * @param pixelFormat format the client asked for
     * @param colourMap the map the server has sent (or will send) with SetColourMapEntries
     */
    public void setPixelFormat(PixelFormat pixelFormat, ColourMap colourMap) {
        this.converter = new PixelConverter(pixelFormat, colourMap);
    }

    /** @return the converter for the client's current format */
    public PixelConverter converter() {
        return converter;
    }

    /**
     * Applies the quality and compression pseudo-encodings of the client's SetEncodings.
     *
     * @param encodings the client's message
     */
    public void setEncodings(SetEncodings encodings) {
        tight.setJpegQuality(encodings.jpegQuality());
        int level = encodings.compressLevel();
        if (level >= 0) {
            tight.setCompressLevel(level);
            zrle.setLevel(level);
        }
    }

    /** @return the Tight encoder (to set JPEG quality or compression level directly) */
    public TightEncoder tight() {
        return tight;
    }

    /** @return the ZRLE encoder */
    public ZrleEncoder zrle() {
        return zrle;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, FramebufferUpdate msg, ByteBuf out) {
        write(msg, out);
    }

    /**
     * Writes an update without a pipeline (tests, recording tools); advances the zlib streams like a real send.
     *
     * @param update the update
     * @param out destination
     */
    public void write(FramebufferUpdate update, ByteBuf out) {
        out.writeByte(ServerMessage.FRAMEBUFFER_UPDATE);
        out.writeZero(1);
        int countIndex = out.writerIndex();
        out.writeShort(0);
        int count = 0;
        boolean lastRect = false;
        for (UpdateRectangle r : update.rectangles()) {
            if (r.encoding() == Encodings.LAST_RECT) {
                lastRect = true;
            }
            if (r instanceof PixelRectangle p && p.encoding() == Encodings.TIGHT
                    && (p.rect().width() > TightEncoder.MAX_WIDTH || p.rect().area() > TightEncoder.MAX_PIXELS)) {
                count += writeTightSplit(p, out);
            } else {
                writeRectangle(r, out);
                count++;
            }
        }
        out.setShort(countIndex, lastRect ? 0xFFFF : count);
    }

    private int writeTightSplit(PixelRectangle p, ByteBuf out) {
        Rect rect = p.rect();
        int chunkWidth = Math.min(rect.width(), TightEncoder.MAX_WIDTH);
        int chunkHeight = Math.max(1, TightEncoder.MAX_PIXELS / chunkWidth);
        int written = 0;
        for (int y = 0; y < rect.height(); y += chunkHeight) {
            for (int x = 0; x < rect.width(); x += chunkWidth) {
                Rect part = new Rect(rect.x() + x, rect.y() + y, Math.min(chunkWidth, rect.width() - x),
                        Math.min(chunkHeight, rect.height() - y));
                writeHeader(out, part, Encodings.TIGHT);
                tight.encode(p.pixels(), p.offset() + y * p.stride() + x, p.stride(), part.width(), part.height(),
                        converter, out);
                written++;
            }
        }
        return written;
    }

    private void writeRectangle(UpdateRectangle r, ByteBuf out) {
        writeHeader(out, r.rect(), r.encoding());
        if (r instanceof PixelRectangle p) {
            int w = p.rect().width();
            int h = p.rect().height();
            switch (p.encoding()) {
                case Encodings.RAW -> RawEncoding.encode(p.pixels(), p.offset(), p.stride(), w, h, converter, out);
                case Encodings.HEXTILE -> HextileEncoding.encode(p.pixels(), p.offset(), p.stride(), w, h, converter,
                        out);
                case Encodings.ZRLE -> zrle.encode(p.pixels(), p.offset(), p.stride(), w, h, converter, out);
                case Encodings.TIGHT -> tight.encode(p.pixels(), p.offset(), p.stride(), w, h, converter, out);
                default -> throw new IllegalArgumentException(
                        "no encoder for pixel encoding " + Encodings.name(p.encoding()));
            }
        } else if (r instanceof CopyRectangle c) {
            out.writeShort(c.srcX());
            out.writeShort(c.srcY());
        } else if (r instanceof CursorRectangle c) {
            converter.encode(c.pixels(), 0, c.width(), c.width(), c.height(), out);
            out.writeBytes(c.bitmask());
        } else if (r instanceof ExtendedDesktopSizeRectangle e) {
            out.writeByte(e.screens().size());
            out.writeZero(3);
            RfbMessageEncoder.writeScreens(out, e.screens());
        } else if (!(r instanceof PseudoRectangle)) {
            throw new IllegalArgumentException("unknown rectangle " + r);
        }
    }

    private static void writeHeader(ByteBuf out, Rect rect, int encoding) {
        RfbMessageEncoder.writeRect(out, rect);
        out.writeInt(encoding);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        zrle.close();
        tight.close();
    }
}
