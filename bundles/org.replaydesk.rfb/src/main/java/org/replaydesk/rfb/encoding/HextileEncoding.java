package org.replaydesk.rfb.encoding;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_ENCODED_DATA;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.internal.NeedMoreInput;
import org.replaydesk.rfb.internal.Wire;

/**
 * Hextile encoding (5): 16x16 tiles, left to right then top to bottom, each raw or a background with subrectangles.
 *
 * <p>The encoder picks per tile the smallest of: solid (background only, omitted when unchanged), monochrome
 * (background + foreground subrectangles), coloured subrectangles, or raw. Background and foreground carry over from
 * the previous tile of the same rectangle; after a raw tile the encoder specifies both again, and after a coloured
 * tile the foreground, because decoders disagree about what those leave behind.
 */
public final class HextileEncoding {

    /** Sub-encoding bit: raw pixels follow. */
    public static final int RAW = 1;
    /** Sub-encoding bit: a background pixel follows. */
    public static final int BACKGROUND_SPECIFIED = 2;
    /** Sub-encoding bit: a foreground pixel follows. */
    public static final int FOREGROUND_SPECIFIED = 4;
    /** Sub-encoding bit: a subrectangle count and subrectangles follow. */
    public static final int ANY_SUBRECTS = 8;
    /** Sub-encoding bit: each subrectangle has its own pixel. */
    public static final int SUBRECTS_COLOURED = 16;

    private static final int TILE = 16;

    private HextileEncoding() {
    }

    /**
     * @param src 0x00RRGGBB framebuffer
     * @param offset index of the region's top-left pixel
     * @param stride ints per framebuffer row
     * @param width region width
     * @param height region height
     * @param converter client pixel format
     * @param out destination
     */
    public static void encode(int[] src, int offset, int stride, int width, int height, PixelConverter converter,
            ByteBuf out) {
        new TileEncoder(converter, out).encode(src, offset, stride, width, height);
    }

    /**
     * One rectangle's worth of scratch space, so that tiles (8100 of them in a 1080p frame) allocate nothing: each
     * tile is converted straight from the framebuffer, the background is counted in a stamped hash table rather than
     * by sorting, and subrectangle search gives up as soon as the tile cannot beat raw.
     */
    private static final class TileEncoder {
        private static final int COUNT_SLOTS = 512; // 256 colours at most: short probes

        private final PixelConverter converter;
        private final ByteBuf out;
        private final int bpp;
        private final int[] tile = new int[TILE * TILE];
        private final boolean[] covered = new boolean[TILE * TILE];
        private final byte[] rawBytes;
        private final int[] slotColour = new int[COUNT_SLOTS];
        private final int[] slotCount = new int[COUNT_SLOTS];
        private final int[] slotStamp = new int[COUNT_SLOTS];
        private int generation;

        TileEncoder(PixelConverter converter, ByteBuf out) {
            this.converter = converter;
            this.out = out;
            this.bpp = converter.bytesPerPixel();
            this.rawBytes = new byte[TILE * TILE * bpp];
        }

        void encode(int[] src, int offset, int stride, int width, int height) {
            boolean bgValid = false;
            boolean fgValid = false;
            int bg = 0;
            int fg = 0;
            ByteBuf subrects = Unpooled.buffer(TILE * TILE * (bpp + 2));
            try {
                for (int ty = 0; ty < height; ty += TILE) {
                    int th = Math.min(TILE, height - ty);
                    for (int tx = 0; tx < width; tx += TILE) {
                        int tw = Math.min(TILE, width - tx);
                        for (int row = 0; row < th; row++) {
                            converter.toPixelRow(src, offset + (ty + row) * stride + tx, tile, row * tw, tw);
                        }
                        int n = tw * th;
                        // Most frequent colour becomes the background; count up to three distinct colours.
                        int c0 = tile[0];
                        int c1 = 0;
                        int count0 = 0;
                        int count1 = 0;
                        boolean many = false;
                        for (int i = 0; i < n; i++) {
                            if (tile[i] == c0) {
                                count0++;
                            } else if (count1 == 0 || tile[i] == c1) {
                                c1 = tile[i];
                                count1++;
                            } else {
                                many = true;
                            }
                        }
                        int rawSize = 1 + n * bpp;
                        if (count1 == 0) {
                            if (bgValid && bg == c0) {
                                out.writeByte(0);
                            } else {
                                out.writeByte(BACKGROUND_SPECIFIED);
                                converter.writePixel(out, c0);
                                bg = c0;
                                bgValid = true;
                            }
                            continue;
                        }
                        int tileBg = many ? mostFrequent(n) : (count0 >= count1 ? c0 : c1);
                        subrects.clear();
                        // Flags and count take 2 bytes: subrectangle bytes beyond rawSize - 2 mean raw.
                        int count = findSubrects(tw, th, tileBg, many, subrects, rawSize - 2);
                        int flags = ANY_SUBRECTS;
                        int size = 2 + subrects.readableBytes();
                        boolean newBg = !bgValid || bg != tileBg;
                        if (newBg) {
                            flags |= BACKGROUND_SPECIFIED;
                            size += bpp;
                        }
                        int tileFg = 0;
                        boolean newFg = false;
                        if (many) {
                            flags |= SUBRECTS_COLOURED;
                        } else {
                            tileFg = tileBg == c0 ? c1 : c0;
                            newFg = !fgValid || fg != tileFg;
                            if (newFg) {
                                flags |= FOREGROUND_SPECIFIED;
                                size += bpp;
                            }
                        }
                        if (count > 255 || size >= rawSize) {
                            out.writeByte(RAW);
                            out.writeBytes(rawBytes, 0, converter.putPixels(tile, 0, n, rawBytes, 0));
                            bgValid = false;
                            fgValid = false;
                            continue;
                        }
                        out.writeByte(flags);
                        if (newBg) {
                            converter.writePixel(out, tileBg);
                            bg = tileBg;
                            bgValid = true;
                        }
                        if (newFg) {
                            converter.writePixel(out, tileFg);
                            fg = tileFg;
                            fgValid = true;
                        }
                        if (many) {
                            fgValid = false;
                        }
                        out.writeByte(count);
                        out.writeBytes(subrects);
                    }
                }
            } finally {
                subrects.release();
            }
        }

        /** The most frequent pixel value; on a tie the smallest (as a signed int), as sorting would pick. */
        private int mostFrequent(int n) {
            if (++generation == 0) {
                java.util.Arrays.fill(slotStamp, 0);
                generation = 1;
            }
            int best = 0;
            int bestCount = 0;
            for (int i = 0; i < n; i++) {
                int p = tile[i];
                int slot = (p * 0x9E3779B1) >>> 23;
                while (slotStamp[slot] == generation && slotColour[slot] != p) {
                    slot = (slot + 1) & (COUNT_SLOTS - 1);
                }
                if (slotStamp[slot] != generation) {
                    slotStamp[slot] = generation;
                    slotColour[slot] = p;
                    slotCount[slot] = 0;
                }
                int c = ++slotCount[slot];
                if (c > bestCount || (c == bestCount && p < best)) {
                    best = p;
                    bestCount = c;
                }
            }
            return best;
        }

        /**
         * Greedy cover of the non-background pixels: each uncovered pixel starts a run to the right that then grows
         * down while the rows below match. Stops early (returning more than 255) once the tile can only be raw: more
         * than 255 subrectangles or more than {@code budget} bytes of them.
         */
        private int findSubrects(int tw, int th, int bg, boolean coloured, ByteBuf subrects, int budget) {
            java.util.Arrays.fill(covered, 0, tw * th, false);
            int bytesPerSubrect = coloured ? bpp + 2 : 2;
            int count = 0;
            for (int y = 0; y < th; y++) {
                for (int x = 0; x < tw; x++) {
                    int c = tile[y * tw + x];
                    if (c == bg || covered[y * tw + x]) {
                        continue;
                    }
                    int w = 1;
                    while (x + w < tw && tile[y * tw + x + w] == c && !covered[y * tw + x + w]) {
                        w++;
                    }
                    int h = 1;
                    grow:
                    while (y + h < th) {
                        for (int i = 0; i < w; i++) {
                            int p = (y + h) * tw + x + i;
                            if (tile[p] != c || covered[p]) {
                                break grow;
                            }
                        }
                        h++;
                    }
                    for (int r = 0; r < h; r++) {
                        java.util.Arrays.fill(covered, (y + r) * tw + x, (y + r) * tw + x + w, true);
                    }
                    if (++count > 255 || count * bytesPerSubrect > budget) {
                        return 256;
                    }
                    if (coloured) {
                        converter.writePixel(subrects, c);
                    }
                    subrects.writeByte((x << 4) | y);
                    subrects.writeByte(((w - 1) << 4) | (h - 1));
                }
            }
            return count;
        }
    }

    /**
     * @param in source
     * @param width rectangle width
     * @param height rectangle height
     * @param converter client pixel format
     * @param dst 0x00RRGGBB destination
     * @param offset index of the top-left pixel in {@code dst}
     * @param stride ints per row of {@code dst}
     * @return {@code false}, consuming nothing and leaving {@code dst} possibly partly written, if the buffer does
     *         not hold the whole rectangle yet
     */
    public static boolean decode(ByteBuf in, int width, int height, PixelConverter converter, int[] dst, int offset,
            int stride) {
        int start = in.readerIndex();
        try {
            decodeTiles(in, width, height, converter, dst, offset, stride);
            return true;
        } catch (NeedMoreInput e) {
            in.readerIndex(start);
            return false;
        }
    }

    private static void decodeTiles(ByteBuf in, int width, int height, PixelConverter converter, int[] dst,
            int offset, int stride) {
        int bpp = converter.bytesPerPixel();
        int bg = 0;
        int fg = 0;
        for (int ty = 0; ty < height; ty += TILE) {
            int th = Math.min(TILE, height - ty);
            for (int tx = 0; tx < width; tx += TILE) {
                int tw = Math.min(TILE, width - tx);
                int tileOffset = offset + ty * stride + tx;
                Wire.need(in, 1);
                int flags = in.readUnsignedByte();
                if ((flags & RAW) != 0) {
                    Wire.need(in, (long) tw * th * bpp);
                    converter.decode(in, dst, tileOffset, stride, tw, th);
                    continue;
                }
                if ((flags & BACKGROUND_SPECIFIED) != 0) {
                    Wire.need(in, bpp);
                    bg = converter.toRgb(converter.readPixel(in));
                }
                if ((flags & FOREGROUND_SPECIFIED) != 0) {
                    Wire.need(in, bpp);
                    fg = converter.toRgb(converter.readPixel(in));
                }
                fill(dst, tileOffset, stride, 0, 0, tw, th, bg);
                if ((flags & ANY_SUBRECTS) == 0) {
                    continue;
                }
                Wire.need(in, 1);
                int count = in.readUnsignedByte();
                boolean coloured = (flags & SUBRECTS_COLOURED) != 0;
                Wire.need(in, (long) count * (coloured ? bpp + 2 : 2));
                for (int i = 0; i < count; i++) {
                    int colour = coloured ? converter.toRgb(converter.readPixel(in)) : fg;
                    int xy = in.readUnsignedByte();
                    int wh = in.readUnsignedByte();
                    int sx = xy >> 4;
                    int sy = xy & 15;
                    int sw = (wh >> 4) + 1;
                    int sh = (wh & 15) + 1;
                    if (sx + sw > tw || sy + sh > th) {
                        throw new RfbProtocolException(BAD_ENCODED_DATA, "hextile subrectangle " + sx + "," + sy
                                + " " + sw + "x" + sh + " exceeds its " + tw + "x" + th + " tile at " + tx + ","
                                + ty);
                    }
                    fill(dst, tileOffset, stride, sx, sy, sw, sh, colour);
                }
            }
        }
    }

    private static void fill(int[] dst, int offset, int stride, int x, int y, int w, int h, int colour) {
        for (int row = 0; row < h; row++) {
            int d = offset + (y + row) * stride + x;
            java.util.Arrays.fill(dst, d, d + w, colour);
        }
    }
}
