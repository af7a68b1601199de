package org.replaydesk.rfb.encoding;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.replaydesk.rfb.ColourMap;
import org.replaydesk.rfb.PixelFormat;

/**
 * Converts between 0x00RRGGBB colours and pixel values of one client pixel format, and reads/writes them as PIXEL,
 * CPIXEL (ZRLE) and TPIXEL (Tight).
 *
 * <p>True-colour channels are scaled with rounding ({@code v = (c * max + 127) / 255} and back), so converting a
 * colour that is exactly representable is lossless and quantising twice changes nothing. Colour-mapped formats use
 * the connection's {@link ColourMap} (nearest entry when encoding). One instance per connection and format; not
 * thread-safe because the colour map's cache and the scratch buffers are not.
 *
 * <p>Encoders convert every pixel of every update, so true colour goes through three 256-entry tables (one per
 * channel, already scaled and shifted) instead of arithmetic per channel, and 0x00RRGGBB clients (the usual 32 bpp
 * format) skip conversion altogether. The bulk methods write whole rows into byte arrays rather than one
 * {@link ByteBuf} call per pixel.
 */
public final class PixelConverter {

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final PixelFormat format;
    private final ColourMap colourMap;
    private final int bytesPerPixel;
    private final boolean cpixel3;
    private final boolean cpixelLow;
    private final boolean tpixel3;
    private final boolean trueColour;
    private final boolean bigEndian;
    /** Pixel value = 0x00RRGGBB: no conversion at all. */
    private final boolean identity;
    private final int[] redTable = new int[256];
    private final int[] greenTable = new int[256];
    private final int[] blueTable = new int[256];
    private byte[] rowScratch = new byte[0];

    /**
     * @param format a true-colour format (validated here)
     */
    public PixelConverter(PixelFormat format) {
        this(format, null);
    }

    /**
     * @param format the client's pixel format (validated here)
     * @param colourMap required when the format is not true colour; ignored otherwise
     */
    public PixelConverter(PixelFormat format, ColourMap colourMap) {
        this.format = format.validate();
        if (!format.trueColour() && colourMap == null) {
            throw new IllegalArgumentException("a colour-mapped pixel format needs a colour map");
        }
        this.colourMap = colourMap;
        this.bytesPerPixel = format.bytesPerPixel();
        long mask = format.trueColour() ? ((long) format.redMax() << format.redShift())
                | ((long) format.greenMax() << format.greenShift()) | ((long) format.blueMax() << format.blueShift())
                : 0;
        // RFC 6143 7.7.6: a CPIXEL drops the byte that can never hold colour bits.
        boolean fitsLow = (mask & 0xFF000000L) == 0;
        boolean fitsHigh = (mask & 0xFFL) == 0;
        this.cpixel3 = format.trueColour() && format.bitsPerPixel() == 32 && format.depth() <= 24
                && (fitsLow || fitsHigh);
        this.cpixelLow = fitsLow;
        // rfbproto Tight: TPIXEL is R, G, B bytes for 32 bpp, depth 24, 8 bits per channel.
        this.tpixel3 = format.trueColour() && format.bitsPerPixel() == 32 && format.depth() == 24
                && format.redMax() == 255 && format.greenMax() == 255 && format.blueMax() == 255;
        this.trueColour = format.trueColour();
        this.bigEndian = format.bigEndian();
        this.identity = tpixel3 && format.redShift() == 16 && format.greenShift() == 8 && format.blueShift() == 0;
        if (trueColour) {
            for (int c = 0; c < 256; c++) {
                redTable[c] = scaleDown(c, format.redMax()) << format.redShift();
                greenTable[c] = scaleDown(c, format.greenMax()) << format.greenShift();
                blueTable[c] = scaleDown(c, format.blueMax()) << format.blueShift();
            }
        }
    }

    /** @return the pixel format */
    public PixelFormat format() {
        return format;
    }

    /** @return the colour map, {@code null} for true colour */
    public ColourMap colourMap() {
        return colourMap;
    }

    /** @return bytes per PIXEL */
    public int bytesPerPixel() {
        return bytesPerPixel;
    }

    /** @return bytes per CPIXEL (ZRLE) */
    public int cpixelBytes() {
        return cpixel3 ? 3 : bytesPerPixel;
    }

    /** @return bytes per TPIXEL (Tight) */
    public int tpixelBytes() {
        return tpixel3 ? 3 : bytesPerPixel;
    }

    /** @return whether TPIXELs are 3 bytes R, G, B */
    public boolean tpixelIsRgb() {
        return tpixel3;
    }

    /**
     * @param rgb 0x00RRGGBB
     * @return the pixel value in the client's format
     */
    public int toPixel(int rgb) {
        if (!trueColour) {
            return colourMap.nearestIndex(rgb & 0xFFFFFF);
        }
        return redTable[(rgb >> 16) & 0xFF] | greenTable[(rgb >> 8) & 0xFF] | blueTable[rgb & 0xFF];
    }

    /**
     * @param pixel a pixel value in the client's format
     * @return 0x00RRGGBB
     */
    public int toRgb(int pixel) {
        if (!format.trueColour()) {
            return colourMap.rgb(pixel);
        }
        return (scaleUp((pixel >>> format.redShift()) & format.redMax(), format.redMax()) << 16)
                | (scaleUp((pixel >>> format.greenShift()) & format.greenMax(), format.greenMax()) << 8)
                | scaleUp((pixel >>> format.blueShift()) & format.blueMax(), format.blueMax());
    }

    /**
     * @param rgb 0x00RRGGBB
     * @return the colour the client will actually see, i.e. {@code toRgb(toPixel(rgb))}
     */
    public int quantize(int rgb) {
        return toRgb(toPixel(rgb));
    }

    private static int scaleDown(int c, int max) {
        return (c * max + 127) / 255;
    }

    private static int scaleUp(int v, int max) {
        return (int) (((long) v * 255 + max / 2) / max);
    }

    /**
     * @param out destination
     * @param pixel pixel value, written as PIXEL (1, 2 or 4 bytes in the format's byte order)
     */
    public void writePixel(ByteBuf out, int pixel) {
        switch (bytesPerPixel) {
            case 1 -> out.writeByte(pixel);
            case 2 -> {
                if (format.bigEndian()) {
                    out.writeShort(pixel);
                } else {
                    out.writeShortLE(pixel);
                }
            }
            default -> {
                if (format.bigEndian()) {
                    out.writeInt(pixel);
                } else {
                    out.writeIntLE(pixel);
                }
            }
        }
    }

    /**
     * @param in source with at least {@link #bytesPerPixel()} readable bytes
     * @return the pixel value
     */
    public int readPixel(ByteBuf in) {
        return switch (bytesPerPixel) {
            case 1 -> in.readUnsignedByte();
            case 2 -> format.bigEndian() ? in.readUnsignedShort() : in.readUnsignedShortLE();
            default -> format.bigEndian() ? in.readInt() : in.readIntLE();
        };
    }

    /**
     * @param out destination
     * @param pixel pixel value, written as CPIXEL
     */
    public void writeCpixel(ByteBuf out, int pixel) {
        if (!cpixel3) {
            writePixel(out, pixel);
            return;
        }
        int value = cpixelLow ? pixel & 0xFFFFFF : pixel >>> 8;
        if (format.bigEndian()) {
            out.writeMedium(value);
        } else {
            out.writeMediumLE(value);
        }
    }

    /**
     * @param in source
     * @return pixel value read from a CPIXEL
     */
    public int readCpixel(ByteBuf in) {
        if (!cpixel3) {
            return readPixel(in);
        }
        int value = format.bigEndian() ? in.readUnsignedMedium() : in.readUnsignedMediumLE();
        return cpixelLow ? value : value << 8;
    }

    /**
     * @param out destination
     * @param pixel pixel value, written as TPIXEL
     */
    public void writeTpixel(ByteBuf out, int pixel) {
        if (!tpixel3) {
            writePixel(out, pixel);
            return;
        }
        out.writeByte(pixel >>> format.redShift());
        out.writeByte(pixel >>> format.greenShift());
        out.writeByte(pixel >>> format.blueShift());
    }

    /**
     * @param in source
     * @return pixel value read from a TPIXEL
     */
    public int readTpixel(ByteBuf in) {
        if (!tpixel3) {
            return readPixel(in);
        }
        return (in.readUnsignedByte() << format.redShift()) | (in.readUnsignedByte() << format.greenShift())
                | (in.readUnsignedByte() << format.blueShift());
    }

    /**
     * Converts a framebuffer region to pixel values.
     *
     * @param src 0x00RRGGBB framebuffer
     * @param offset index of the region's top-left pixel
     * @param stride ints per framebuffer row
     * @param width region width
     * @param height region height
     * @return width x height pixel values, row-major
     */
    public int[] toPixels(int[] src, int offset, int stride, int width, int height) {
        int[] pixels = new int[width * height];
        toPixels(src, offset, stride, width, height, pixels);
        return pixels;
    }

    /** Like {@link #toPixels(int[], int, int, int, int)} into a caller's (reused) array. */
    void toPixels(int[] src, int offset, int stride, int width, int height, int[] pixels) {
        for (int row = 0; row < height; row++) {
            toPixelRow(src, offset + row * stride, pixels, row * width, width);
        }
    }

    /** Converts {@code count} framebuffer pixels from {@code src[from]} to {@code dst[to]}. */
    void toPixelRow(int[] src, int from, int[] dst, int to, int count) {
        if (identity) {
            for (int i = 0; i < count; i++) {
                dst[to + i] = src[from + i] & 0xFFFFFF;
            }
        } else if (trueColour) {
            int[] red = redTable;
            int[] green = greenTable;
            int[] blue = blueTable;
            for (int i = 0; i < count; i++) {
                int rgb = src[from + i];
                dst[to + i] = red[(rgb >> 16) & 0xFF] | green[(rgb >> 8) & 0xFF] | blue[rgb & 0xFF];
            }
        } else {
            for (int i = 0; i < count; i++) {
                dst[to + i] = colourMap.nearestIndex(src[from + i] & 0xFFFFFF);
            }
        }
    }

    /**
     * Writes {@code count} pixel values as PIXELs into a byte array.
     *
     * @return the position after the last byte written
     */
    int putPixels(int[] pixels, int from, int count, byte[] dst, int pos) {
        switch (bytesPerPixel) {
            case 1 -> {
                for (int i = 0; i < count; i++) {
                    dst[pos++] = (byte) pixels[from + i];
                }
            }
            case 2 -> {
                int high = bigEndian ? 8 : 0;
                int low = 8 - high;
                for (int i = 0; i < count; i++) {
                    int p = pixels[from + i];
                    dst[pos] = (byte) (p >>> high);
                    dst[pos + 1] = (byte) (p >>> low);
                    pos += 2;
                }
            }
            default -> {
                VarHandle order = bigEndian ? INT_BE : INT_LE;
                for (int i = 0; i < count; i++) {
                    order.set(dst, pos, pixels[from + i]);
                    pos += 4;
                }
            }
        }
        return pos;
    }

    /**
     * Writes {@code count} pixel values as CPIXELs (ZRLE) into a byte array.
     *
     * @return the position after the last byte written
     */
    int putCpixels(int[] pixels, int from, int count, byte[] dst, int pos) {
        if (!cpixel3) {
            return putPixels(pixels, from, count, dst, pos);
        }
        int drop = cpixelLow ? 0 : 8;
        for (int i = 0; i < count; i++) {
            int v = pixels[from + i] >>> drop;
            if (bigEndian) {
                dst[pos] = (byte) (v >>> 16);
                dst[pos + 1] = (byte) (v >>> 8);
                dst[pos + 2] = (byte) v;
            } else {
                dst[pos] = (byte) v;
                dst[pos + 1] = (byte) (v >>> 8);
                dst[pos + 2] = (byte) (v >>> 16);
            }
            pos += 3;
        }
        return pos;
    }

    /**
     * Writes {@code count} pixel values as TPIXELs (Tight) into a byte array.
     *
     * @return the position after the last byte written
     */
    int putTpixels(int[] pixels, int from, int count, byte[] dst, int pos) {
        if (!tpixel3) {
            return putPixels(pixels, from, count, dst, pos);
        }
        int redShift = format.redShift();
        int greenShift = format.greenShift();
        int blueShift = format.blueShift();
        for (int i = 0; i < count; i++) {
            int p = pixels[from + i];
            dst[pos] = (byte) (p >>> redShift);
            dst[pos + 1] = (byte) (p >>> greenShift);
            dst[pos + 2] = (byte) (p >>> blueShift);
            pos += 3;
        }
        return pos;
    }

    /**
     * Writes a framebuffer region as PIXELs (the Raw encoding's payload).
     *
     * @param src 0x00RRGGBB framebuffer
     * @param offset index of the region's top-left pixel
     * @param stride ints per framebuffer row
     * @param width region width
     * @param height region height
     * @param out destination
     */
    public void encode(int[] src, int offset, int stride, int width, int height, ByteBuf out) {
        out.ensureWritable(width * height * bytesPerPixel);
        int[] row = new int[width];
        if (rowScratch.length < width * bytesPerPixel) {
            rowScratch = new byte[width * bytesPerPixel];
        }
        byte[] bytes = rowScratch;
        for (int y = 0; y < height; y++) {
            toPixelRow(src, offset + y * stride, row, 0, width);
            int length = putPixels(row, 0, width, bytes, 0);
            out.writeBytes(bytes, 0, length);
        }
    }

    /**
     * Reads PIXELs into a framebuffer region.
     *
     * @param in source with at least width x height x bytesPerPixel readable bytes
     * @param dst 0x00RRGGBB framebuffer
     * @param offset index of the region's top-left pixel
     * @param stride ints per framebuffer row
     * @param width region width
     * @param height region height
     */
    public void decode(ByteBuf in, int[] dst, int offset, int stride, int width, int height) {
        for (int row = 0; row < height; row++) {
            int d = offset + row * stride;
            for (int col = 0; col < width; col++) {
                dst[d + col] = toRgb(readPixel(in));
            }
        }
    }
}
