package org.replaydesk.rfb.encoding;

import io.netty.buffer.ByteBuf;
import org.replaydesk.rfb.ColourMap;
import org.replaydesk.rfb.PixelFormat;

/**
 * Converts between 0x00RRGGBB colours and pixel values of one client pixel format, and reads/writes them as PIXEL,
 * CPIXEL (ZRLE) and TPIXEL (Tight).
 *
 * <p>True-colour channels are scaled with rounding ({@code v = (c * max + 127) / 255} and back), so converting a
 * colour that is exactly representable is lossless and quantising twice changes nothing. Colour-mapped formats use
 * the connection's {@link ColourMap} (nearest entry when encoding). One instance per connection and format; not
 * thread-safe because the colour map's cache is not.
 */
public final class PixelConverter {

    private final PixelFormat format;
    private final ColourMap colourMap;
    private final int bytesPerPixel;
    private final boolean cpixel3;
    private final boolean cpixelLow;
    private final boolean tpixel3;

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
        if (!format.trueColour()) {
            return colourMap.nearestIndex(rgb & 0xFFFFFF);
        }
        return (scaleDown((rgb >> 16) & 0xFF, format.redMax()) << format.redShift())
                | (scaleDown((rgb >> 8) & 0xFF, format.greenMax()) << format.greenShift())
                | (scaleDown(rgb & 0xFF, format.blueMax()) << format.blueShift());
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
        for (int row = 0; row < height; row++) {
            int s = offset + row * stride;
            for (int col = 0; col < width; col++) {
                pixels[row * width + col] = toPixel(src[s + col]);
            }
        }
        return pixels;
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
        for (int row = 0; row < height; row++) {
            int s = offset + row * stride;
            for (int col = 0; col < width; col++) {
                writePixel(out, toPixel(src[s + col]));
            }
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
