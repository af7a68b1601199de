package org.replaydesk.rfb;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_PIXEL_FORMAT;

import io.netty.buffer.ByteBuf;

/**
 * The PIXEL_FORMAT structure (RFC 6143 section 7.4): how a pixel value is laid out on the wire.
 *
 * <p>The canonical constructor accepts anything so that a decoder can report a client's bad choice with
 * {@link #validate()}, which names the offending field. Boolean flags are stored as booleans: RFB treats every
 * non-zero byte as true and writes 1.
 *
 * @param bitsPerPixel 8, 16 or 32
 * @param depth number of useful bits in a pixel value (1..bitsPerPixel)
 * @param bigEndian whether multi-byte pixels are sent most significant byte first
 * @param trueColour whether pixel values are composed from red/green/blue fields (otherwise colour-map indices)
 * @param redMax maximum red value, 2^n-1 (true colour only)
 * @param greenMax maximum green value, 2^n-1 (true colour only)
 * @param blueMax maximum blue value, 2^n-1 (true colour only)
 * @param redShift bit position of the red field (true colour only)
 * @param greenShift bit position of the green field (true colour only)
 * @param blueShift bit position of the blue field (true colour only)
 */
public record PixelFormat(int bitsPerPixel, int depth, boolean bigEndian, boolean trueColour, int redMax,
        int greenMax, int blueMax, int redShift, int greenShift, int blueShift) {

    /** Size of the structure on the wire, 3 bytes of padding included. */
    public static final int WIRE_LENGTH = 16;

    /** 32 bpp, depth 24, little endian, 0x00RRGGBB: what QEMU and most servers announce in ServerInit. */
    public static final PixelFormat RGB888_LE = trueColour(32, 24, false, 255, 255, 255, 16, 8, 0);
    /** 32 bpp, depth 24, big endian, 0x00RRGGBB. */
    public static final PixelFormat RGB888_BE = trueColour(32, 24, true, 255, 255, 255, 16, 8, 0);
    /** 32 bpp, depth 24, little endian, 0x00BBGGRR (what some viewers ask for). */
    public static final PixelFormat BGR888_LE = trueColour(32, 24, false, 255, 255, 255, 0, 8, 16);
    /** 16 bpp, depth 16, little endian, RGB 5-6-5. */
    public static final PixelFormat RGB565_LE = trueColour(16, 16, false, 31, 63, 31, 11, 5, 0);
    /** 16 bpp, depth 16, big endian, RGB 5-6-5. */
    public static final PixelFormat RGB565_BE = trueColour(16, 16, true, 31, 63, 31, 11, 5, 0);
    /** 16 bpp, depth 15, little endian, RGB 5-5-5. */
    public static final PixelFormat RGB555_LE = trueColour(16, 15, false, 31, 31, 31, 10, 5, 0);
    /** 8 bpp, depth 8, BGR 2-3-3: blue in the top 2 bits, red in the bottom 3 (TigerVNC/RealVNC "bgr233"). */
    public static final PixelFormat BGR233 = trueColour(8, 8, false, 7, 7, 3, 0, 3, 6);
    /** 8 bpp, depth 8, colour-mapped: pixel values index a {@link ColourMap}. */
    public static final PixelFormat COLOUR_MAP_8 = new PixelFormat(8, 8, false, false, 0, 0, 0, 0, 0, 0);

    /**
     * Creates a true-colour format.
     *
     * @param bitsPerPixel 8, 16 or 32
     * @param depth useful bits
     * @param bigEndian byte order of multi-byte pixels
     * @param redMax maximum red value
     * @param greenMax maximum green value
     * @param blueMax maximum blue value
     * @param redShift red bit position
     * @param greenShift green bit position
     * @param blueShift blue bit position
     * @return the format, not validated
     */
    public static PixelFormat trueColour(int bitsPerPixel, int depth, boolean bigEndian, int redMax, int greenMax,
            int blueMax, int redShift, int greenShift, int blueShift) {
        return new PixelFormat(bitsPerPixel, depth, bigEndian, true, redMax, greenMax, blueMax, redShift, greenShift,
                blueShift);
    }

    /**
     * Checks everything a client could get wrong, so that a bad SetPixelFormat fails before any pixel is converted.
     *
     * @return this, for chaining
     * @throws RfbProtocolException with reason {@code BAD_PIXEL_FORMAT}, naming the field
     */
    public PixelFormat validate() {
        if (bitsPerPixel != 8 && bitsPerPixel != 16 && bitsPerPixel != 32) {
            throw bad("bits-per-pixel " + bitsPerPixel + " is not 8, 16 or 32");
        }
        if (depth < 1 || depth > bitsPerPixel) {
            throw bad("depth " + depth + " is not between 1 and bits-per-pixel " + bitsPerPixel);
        }
        if (!trueColour) {
            return this;
        }
        int redBits = channelBits("red-max", redMax);
        int greenBits = channelBits("green-max", greenMax);
        int blueBits = channelBits("blue-max", blueMax);
        checkShift("red-shift", redShift, redBits);
        checkShift("green-shift", greenShift, greenBits);
        checkShift("blue-shift", blueShift, blueBits);
        long red = (long) redMax << redShift;
        long green = (long) greenMax << greenShift;
        long blue = (long) blueMax << blueShift;
        if ((red & green) != 0 || (red & blue) != 0 || (green & blue) != 0) {
            throw bad("colour fields overlap: red-shift " + redShift + ", green-shift " + greenShift
                    + ", blue-shift " + blueShift);
        }
        return this;
    }

    private static int channelBits(String field, int max) {
        if (max < 1 || max > 0xFFFF || (max & (max + 1)) != 0) {
            throw bad(field + " " + max + " is not 2^n-1 (1..65535)");
        }
        return Integer.bitCount(max);
    }

    private void checkShift(String field, int shift, int bits) {
        if (shift < 0 || shift + bits > bitsPerPixel) {
            throw bad(field + " " + shift + " puts a " + bits + "-bit field outside bits-per-pixel " + bitsPerPixel);
        }
    }

    private static RfbProtocolException bad(String what) {
        return new RfbProtocolException(BAD_PIXEL_FORMAT, "invalid pixel format: " + what);
    }

    /** @return bytes per pixel on the wire (1, 2 or 4) */
    public int bytesPerPixel() {
        return bitsPerPixel / 8;
    }

    /**
     * Reads the 16-byte structure without validating it (call {@link #validate()}).
     *
     * @param in buffer with at least {@link #WIRE_LENGTH} readable bytes
     * @return the format
     */
    public static PixelFormat read(ByteBuf in) {
        PixelFormat pf = new PixelFormat(in.readUnsignedByte(), in.readUnsignedByte(), in.readUnsignedByte() != 0,
                in.readUnsignedByte() != 0, in.readUnsignedShort(), in.readUnsignedShort(), in.readUnsignedShort(),
                in.readUnsignedByte(), in.readUnsignedByte(), in.readUnsignedByte());
        in.skipBytes(3);
        return pf;
    }

    /**
     * Writes the 16-byte structure, padding included.
     *
     * @param out destination
     */
    public void write(ByteBuf out) {
        out.writeByte(bitsPerPixel);
        out.writeByte(depth);
        out.writeByte(bigEndian ? 1 : 0);
        out.writeByte(trueColour ? 1 : 0);
        out.writeShort(redMax);
        out.writeShort(greenMax);
        out.writeShort(blueMax);
        out.writeByte(redShift);
        out.writeByte(greenShift);
        out.writeByte(blueShift);
        out.writeZero(3);
    }
}
