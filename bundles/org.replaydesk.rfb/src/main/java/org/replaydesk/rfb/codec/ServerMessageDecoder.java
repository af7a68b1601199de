package org.replaydesk.rfb.codec;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_RECTANGLE;
import static org.replaydesk.rfb.RfbProtocolException.Reason.LENGTH_TOO_LARGE;
import static org.replaydesk.rfb.RfbProtocolException.Reason.UNKNOWN_MESSAGE_TYPE;
import static org.replaydesk.rfb.RfbProtocolException.Reason.UNSUPPORTED_ENCODING;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.replaydesk.rfb.Bell;
import org.replaydesk.rfb.ColourMap;
import org.replaydesk.rfb.CopyRectangle;
import org.replaydesk.rfb.CursorRectangle;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.EndOfContinuousUpdates;
import org.replaydesk.rfb.ExtendedDesktopSizeRectangle;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.PseudoRectangle;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.ServerCutText;
import org.replaydesk.rfb.ServerMessage;
import org.replaydesk.rfb.SetColourMapEntries;
import org.replaydesk.rfb.UpdateRectangle;
import org.replaydesk.rfb.encoding.HextileEncoding;
import org.replaydesk.rfb.encoding.PixelConverter;
import org.replaydesk.rfb.encoding.RawEncoding;
import org.replaydesk.rfb.encoding.TightDecoder;
import org.replaydesk.rfb.encoding.ZrleDecoder;
import org.replaydesk.rfb.internal.NeedMoreInput;
import org.replaydesk.rfb.internal.Wire;

/**
 * Client side, normal phase: decodes every {@link ServerMessage}, pixel data included.
 *
 * <p>State it needs and keeps: the pixel format the client asked for ({@link #setPixelFormat}, call it when sending
 * SetPixelFormat), the colour map (updated from every SetColourMapEntries it decodes), the framebuffer size (updated
 * from DesktopSize and successful ExtendedDesktopSize rectangles) and the ZRLE and Tight zlib streams. A
 * FramebufferUpdate is decoded one rectangle at a time, each rectangle only once complete, so a zlib stream never sees
 * the same data twice. Pixel rectangles come out as 0x00RRGGBB {@link PixelRectangle}s.
 */
public final class ServerMessageDecoder extends AbstractRfbDecoder {

    /** Rectangles accepted in one update that ends with LastRect (count 0xFFFF). */
    public static final int MAX_RECTANGLES_WITH_LAST_RECT = 1 << 16;
    /** Cursors may exceed a tiny framebuffer, but never this size. */
    public static final int MAX_CURSOR_SIZE = 256;

    private final int maxCutText;
    private ColourMap colourMap;
    private PixelConverter converter;
    private int framebufferWidth;
    private int framebufferHeight;
    private final ZrleDecoder zrle = new ZrleDecoder();
    private final TightDecoder tight = new TightDecoder();

    /** Rectangles of the update in progress; null between updates. */
    private List<UpdateRectangle> pending;
    /** Pixel array of a rectangle that is still incomplete. */
    private int[] scratch;
    /** Rectangles still expected, or -1 when the update ends with LastRect. */
    private int remaining;

    /**
     * @param pixelFormat format of the pixel data (the ServerInit one, or what the client set)
     * @param framebufferWidth framebuffer width from ServerInit
     * @param framebufferHeight framebuffer height from ServerInit
     */
    public ServerMessageDecoder(PixelFormat pixelFormat, int framebufferWidth, int framebufferHeight) {
        this(pixelFormat, framebufferWidth, framebufferHeight, ClientMessageDecoder.DEFAULT_MAX_CUT_TEXT);
    }

    /**
     * @param pixelFormat format of the pixel data
     * @param framebufferWidth framebuffer width
     * @param framebufferHeight framebuffer height
     * @param maxCutText largest ServerCutText accepted, in bytes
     */
    public ServerMessageDecoder(PixelFormat pixelFormat, int framebufferWidth, int framebufferHeight,
            int maxCutText) {
        super(false);
        this.maxCutText = maxCutText;
        this.framebufferWidth = framebufferWidth;
        this.framebufferHeight = framebufferHeight;
        setPixelFormat(pixelFormat);
    }

    /**
     * Switches the format of pixel data from the next rectangle on. A colour-mapped format gets a black map (256 entries for
     * 8 bpp, 65536 otherwise) that SetColourMapEntries messages then fill in.
     *
     * @param pixelFormat the format just sent in SetPixelFormat
     */
    public void setPixelFormat(PixelFormat pixelFormat) {
        pixelFormat.validate();
        // 256 entries for 8 bpp, otherwise the most SetColourMapEntries can address (U16 first + count).
        int mapSize = pixelFormat.bitsPerPixel() == 8 ? 256 : 65536;
        if (!pixelFormat.trueColour() && (colourMap == null || colourMap.size() < mapSize)) {
            colourMap = new ColourMap(mapSize);
        }
        converter = new PixelConverter(pixelFormat, colourMap);
    }

    /** @return the current pixel format */
    public PixelFormat pixelFormat() {
        return converter.format();
    }

    /** @return the colour map (null until a colour-mapped format is used) */
    public ColourMap colourMap() {
        return colourMap;
    }

    /** @return current framebuffer width */
    public int framebufferWidth() {
        return framebufferWidth;
    }

    /** @return current framebuffer height */
    public int framebufferHeight() {
        return framebufferHeight;
    }

    /**
     * @param width new framebuffer width (when the application learns it some other way)
     * @param height new framebuffer height
     */
    public void setFramebufferSize(int width, int height) {
        framebufferWidth = width;
        framebufferHeight = height;
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        if (pending != null) {
            decodeRectangle(in, out);
            return;
        }
        Wire.need(in, 1);
        int type = in.getUnsignedByte(in.readerIndex());
        switch (type) {
            case ServerMessage.FRAMEBUFFER_UPDATE -> {
                Wire.need(in, 4);
                in.skipBytes(2);
                int count = in.readUnsignedShort();
                if (count == 0) {
                    out.add(new FramebufferUpdate(List.of()));
                    return;
                }
                remaining = count == 0xFFFF ? -1 : count;
                pending = new ArrayList<>(Math.min(count, 64));
            }
            case ServerMessage.SET_COLOUR_MAP_ENTRIES -> {
                Wire.need(in, 6);
                int count = in.getUnsignedShort(in.readerIndex() + 4);
                Wire.need(in, 6 + 6L * count);
                in.skipBytes(2);
                int first = in.readUnsignedShort();
                in.skipBytes(2);
                int[] colours = new int[count * 3];
                for (int i = 0; i < colours.length; i++) {
                    colours[i] = in.readUnsignedShort();
                }
                SetColourMapEntries entries = new SetColourMapEntries(first, colours);
                if (colourMap != null) {
                    colourMap.apply(entries);
                }
                out.add(entries);
            }
            case ServerMessage.BELL -> {
                in.skipBytes(1);
                out.add(Bell.INSTANCE);
            }
            case ServerMessage.SERVER_CUT_TEXT -> {
                Wire.need(in, 8);
                long length = in.getUnsignedInt(in.readerIndex() + 4);
                if (length > maxCutText) {
                    throw new RfbProtocolException(LENGTH_TOO_LARGE,
                            "ServerCutText length " + length + " exceeds the limit of " + maxCutText + " bytes");
                }
                Wire.need(in, 8 + length);
                in.skipBytes(8);
                out.add(new ServerCutText(in.readCharSequence((int) length, StandardCharsets.ISO_8859_1)
                        .toString()));
            }
            case ServerMessage.END_OF_CONTINUOUS_UPDATES -> {
                in.skipBytes(1);
                out.add(EndOfContinuousUpdates.INSTANCE);
            }
            case ServerMessage.FENCE -> out.add(ClientMessageDecoder.readFence(in));
            default -> throw new RfbProtocolException(UNKNOWN_MESSAGE_TYPE, "unknown server message type " + type);
        }
    }

    private void decodeRectangle(ByteBuf in, List<Object> out) {
        Wire.need(in, 12);
        Rect rect = ClientMessageDecoder.readRect(in);
        int encoding = in.readInt();
        UpdateRectangle decoded = switch (encoding) {
            case Encodings.RAW, Encodings.HEXTILE, Encodings.ZRLE, Encodings.TIGHT -> decodePixels(in, rect,
                    encoding);
            case Encodings.COPY_RECT -> {
                checkInside(rect, encoding);
                Wire.need(in, 4);
                int srcX = in.readUnsignedShort();
                int srcY = in.readUnsignedShort();
                if (!new Rect(srcX, srcY, rect.width(), rect.height()).fitsIn(framebufferWidth, framebufferHeight)) {
                    throw new RfbProtocolException(BAD_RECTANGLE, "CopyRect source " + srcX + "," + srcY + " "
                            + rect.width() + "x" + rect.height() + " exceeds the " + framebufferWidth + "x"
                            + framebufferHeight + " framebuffer");
                }
                yield new CopyRectangle(rect, srcX, srcY);
            }
            case Encodings.CURSOR -> decodeCursor(in, rect);
            case Encodings.DESKTOP_SIZE -> {
                framebufferWidth = rect.width();
                framebufferHeight = rect.height();
                yield new PseudoRectangle(rect, encoding);
            }
            case Encodings.EXTENDED_DESKTOP_SIZE -> {
                Wire.need(in, 4);
                int screens = in.getUnsignedByte(in.readerIndex());
                Wire.need(in, 4 + 16L * screens);
                in.skipBytes(4);
                ExtendedDesktopSizeRectangle eds = new ExtendedDesktopSizeRectangle(rect.x(), rect.y(), rect.width(),
                        rect.height(), ClientMessageDecoder.readScreens(in, screens));
                if (eds.status() == 0) {
                    framebufferWidth = rect.width();
                    framebufferHeight = rect.height();
                }
                yield eds;
            }
            case Encodings.LAST_RECT, Encodings.QEMU_EXTENDED_KEY_EVENT, Encodings.QEMU_POINTER_MOTION_CHANGE ->
                new PseudoRectangle(rect, encoding);
            default -> throw new RfbProtocolException(UNSUPPORTED_ENCODING,
                    "rectangle " + describe(rect) + " uses unsupported encoding " + Encodings.name(encoding));
        };
        pending.add(decoded);
        boolean last = encoding == Encodings.LAST_RECT && remaining < 0;
        if (remaining > 0) {
            remaining--;
        } else if (!last && pending.size() >= MAX_RECTANGLES_WITH_LAST_RECT) {
            throw new RfbProtocolException(LENGTH_TOO_LARGE, "FramebufferUpdate without LastRect after "
                    + MAX_RECTANGLES_WITH_LAST_RECT + " rectangles");
        }
        if (remaining == 0 || last) {
            out.add(new FramebufferUpdate(pending));
            pending = null;
        }
    }

    private PixelRectangle decodePixels(ByteBuf in, Rect rect, int encoding) {
        checkInside(rect, encoding);
        int w = rect.width();
        int h = rect.height();
        if (encoding == Encodings.RAW) {
            Wire.need(in, (long) w * h * converter.bytesPerPixel());
        }
        // Checked above: w x h fits in the framebuffer, so this allocation is bounded by the screen size. Reused
        // while the same rectangle is still incomplete, so a rectangle arriving in many pieces is allocated once.
        int[] pixels = scratch != null && scratch.length == w * h ? scratch : new int[w * h];
        scratch = pixels;
        boolean complete = switch (encoding) {
            case Encodings.RAW -> RawEncoding.decode(in, w, h, converter, pixels, 0, w);
            case Encodings.HEXTILE -> HextileEncoding.decode(in, w, h, converter, pixels, 0, w);
            case Encodings.ZRLE -> zrle.decode(in, w, h, converter, pixels, 0, w);
            default -> tight.decode(in, w, h, converter, pixels, 0, w);
        };
        if (!complete) {
            throw NeedMoreInput.INSTANCE;
        }
        scratch = null; // now owned by the rectangle
        return PixelRectangle.ofPixels(encoding, rect, pixels);
    }

    private CursorRectangle decodeCursor(ByteBuf in, Rect rect) {
        int w = rect.width();
        int h = rect.height();
        if (w > Math.max(MAX_CURSOR_SIZE, framebufferWidth) || h > Math.max(MAX_CURSOR_SIZE, framebufferHeight)) {
            throw new RfbProtocolException(BAD_RECTANGLE, "cursor " + w + "x" + h + " is larger than the "
                    + framebufferWidth + "x" + framebufferHeight + " framebuffer and " + MAX_CURSOR_SIZE + "x"
                    + MAX_CURSOR_SIZE);
        }
        int maskLength = CursorRectangle.maskLength(w, h);
        Wire.need(in, (long) w * h * converter.bytesPerPixel() + maskLength);
        int[] pixels = new int[w * h];
        converter.decode(in, pixels, 0, w, w, h);
        byte[] mask = new byte[maskLength];
        in.readBytes(mask);
        return new CursorRectangle(rect.x(), rect.y(), w, h, pixels, mask);
    }

    private void checkInside(Rect rect, int encoding) {
        if (!rect.fitsIn(framebufferWidth, framebufferHeight)) {
            throw new RfbProtocolException(BAD_RECTANGLE, Encodings.name(encoding) + " rectangle " + describe(rect)
                    + " exceeds the " + framebufferWidth + "x" + framebufferHeight + " framebuffer");
        }
    }

    private static String describe(Rect rect) {
        return rect.x() + "," + rect.y() + " " + rect.width() + "x" + rect.height();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        zrle.close();
        tight.close();
    }
}
