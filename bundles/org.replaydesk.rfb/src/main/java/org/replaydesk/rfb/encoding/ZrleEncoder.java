package org.replaydesk.rfb.encoding;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.Deflater;
import org.replaydesk.rfb.internal.Wire;

/**
 * ZRLE encoder (16) for one connection: 64x64 tiles in one zlib stream that lives as long as the connection, so the
 * encoder must see every ZRLE rectangle sent to that client, in order.
 *
 * <p>Per tile it picks the smallest of raw, solid, packed palette (2-16 colours), plain RLE and palette RLE (2-127
 * colours), from exact size estimates. Call {@link #close()} when the connection ends to free zlib's native memory.
 */
public final class ZrleEncoder implements AutoCloseable {

    private final Deflater deflater;

    /** Creates an encoder with zlib level 6, a good trade-off for screen content. */
    public ZrleEncoder() {
        this(6);
    }

    /**
     * @param level zlib compression level 0..9
     */
    public ZrleEncoder(int level) {
        deflater = new Deflater(level);
    }

    /**
     * @param level new zlib compression level 0..9, from the next rectangle on (the stream continues)
     */
    public void setLevel(int level) {
        deflater.setLevel(level);
    }

    /**
     * Writes the rectangle's payload: U32 length, then zlib data.
     *
     * @param src 0x00RRGGBB framebuffer
     * @param offset index of the region's top-left pixel
     * @param stride ints per framebuffer row
     * @param width region width
     * @param height region height
     * @param converter client pixel format
     * @param out destination
     */
    public void encode(int[] src, int offset, int stride, int width, int height, PixelConverter converter,
            ByteBuf out) {
        ByteBuf raw = Unpooled.buffer(width * height * converter.cpixelBytes() / 4 + 64);
        try {
            encodeTiles(src, offset, stride, width, height, converter, raw);
            byte[] compressed = Wire.deflate(deflater, raw);
            out.writeInt(compressed.length);
            out.writeBytes(compressed);
        } finally {
            raw.release();
        }
    }

    /**
     * Writes the uncompressed tile data (what goes into zlib); public for tests and for tools that inspect it.
     *
     * @param src 0x00RRGGBB framebuffer
     * @param offset index of the region's top-left pixel
     * @param stride ints per framebuffer row
     * @param width region width
     * @param height region height
     * @param converter client pixel format
     * @param out destination of the tile data
     */
    public static void encodeTiles(int[] src, int offset, int stride, int width, int height,
            PixelConverter converter, ByteBuf out) {
        int cp = converter.cpixelBytes();
        int[] tile = new int[Zrle.TILE * Zrle.TILE];
        Map<Integer, Integer> palette = new HashMap<>();
        int[] paletteColours = new int[128];
        for (int ty = 0; ty < height; ty += Zrle.TILE) {
            int th = Math.min(Zrle.TILE, height - ty);
            for (int tx = 0; tx < width; tx += Zrle.TILE) {
                int tw = Math.min(Zrle.TILE, width - tx);
                int n = tw * th;
                palette.clear();
                int runs = 0;
                long plainRle = 0;
                long paletteRle = 0;
                int runStart = 0;
                for (int row = 0; row < th; row++) {
                    int s = offset + (ty + row) * stride + tx;
                    for (int col = 0; col < tw; col++) {
                        int p = converter.toPixel(src[s + col]);
                        int i = row * tw + col;
                        tile[i] = p;
                        if (palette.size() <= 127 && !palette.containsKey(p)) {
                            if (palette.size() < 127) {
                                paletteColours[palette.size()] = p;
                            }
                            palette.put(p, palette.size());
                        }
                        if (i > 0 && p != tile[i - 1]) {
                            int length = i - runStart;
                            runs++;
                            plainRle += cp + runLengthBytes(length);
                            paletteRle += length == 1 ? 1 : 1 + runLengthBytes(length);
                            runStart = i;
                        }
                    }
                }
                int last = n - runStart;
                runs++;
                plainRle += cp + runLengthBytes(last);
                paletteRle += last == 1 ? 1 : 1 + runLengthBytes(last);
                int colours = palette.size();
                if (colours == 1) {
                    out.writeByte(Zrle.SUB_SOLID);
                    converter.writeCpixel(out, tile[0]);
                    continue;
                }
                long best = (long) n * cp;
                int choice = Zrle.SUB_RAW;
                if (plainRle < best) {
                    best = plainRle;
                    choice = Zrle.SUB_PLAIN_RLE;
                }
                if (colours <= 127 && colours * cp + paletteRle < best) {
                    best = colours * cp + paletteRle;
                    choice = 128 + colours;
                }
                if (colours <= 16) {
                    long packed = colours * cp + (long) th * ((tw * Zrle.packedBits(colours) + 7) / 8);
                    if (packed <= best) {
                        choice = colours;
                    }
                }
                out.writeByte(choice);
                if (choice == Zrle.SUB_RAW) {
                    for (int i = 0; i < n; i++) {
                        converter.writeCpixel(out, tile[i]);
                    }
                } else if (choice == Zrle.SUB_PLAIN_RLE) {
                    writeRuns(tile, n, converter, out, null);
                } else {
                    for (int i = 0; i < colours; i++) {
                        converter.writeCpixel(out, paletteColours[i]);
                    }
                    if (choice < 128) {
                        writePacked(tile, tw, th, palette, Zrle.packedBits(colours), out);
                    } else {
                        writeRuns(tile, n, converter, out, palette);
                    }
                }
            }
        }
    }

    private static int runLengthBytes(int length) {
        return (length - 1) / 255 + 1;
    }

    private static void writeRuns(int[] tile, int n, PixelConverter converter, ByteBuf out,
            Map<Integer, Integer> palette) {
        int i = 0;
        while (i < n) {
            int j = i + 1;
            while (j < n && tile[j] == tile[i]) {
                j++;
            }
            int length = j - i;
            if (palette == null) {
                converter.writeCpixel(out, tile[i]);
                writeRunLength(out, length);
            } else if (length == 1) {
                out.writeByte(palette.get(tile[i]));
            } else {
                out.writeByte(palette.get(tile[i]) | 128);
                writeRunLength(out, length);
            }
            i = j;
        }
    }

    private static void writeRunLength(ByteBuf out, int length) {
        int rest = length - 1;
        while (rest >= 255) {
            out.writeByte(255);
            rest -= 255;
        }
        out.writeByte(rest);
    }

    private static void writePacked(int[] tile, int tw, int th, Map<Integer, Integer> palette, int bits,
            ByteBuf out) {
        for (int row = 0; row < th; row++) {
            int acc = 0;
            int used = 0;
            for (int col = 0; col < tw; col++) {
                acc = (acc << bits) | palette.get(tile[row * tw + col]);
                used += bits;
                if (used == 8) {
                    out.writeByte(acc);
                    acc = 0;
                    used = 0;
                }
            }
            if (used > 0) {
                out.writeByte(acc << (8 - used));
            }
        }
    }

    @Override
    public void close() {
        deflater.end();
    }
}
