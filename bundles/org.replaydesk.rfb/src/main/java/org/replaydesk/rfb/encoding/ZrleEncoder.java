package org.replaydesk.rfb.encoding;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import org.replaydesk.rfb.internal.ZlibStream;

/**
 * ZRLE encoder (16) for one connection: 64x64 tiles in one zlib stream that lives as long as the connection, so the
 * encoder must see every ZRLE rectangle sent to that client, in order.
 *
 * <p>Per tile it picks the smallest of raw, solid, packed palette (2-16 colours), plain RLE and palette RLE (2-127
 * colours), from exact size estimates. One pass over the tile converts the pixels, counts the runs and builds the
 * palette (a small open-addressing table that stops growing past 127 colours, looked up only where a run changes
 * colour), remembering each pixel's palette index for the writing pass. Tile data and zlib output go to arrays that
 * are reused for the connection's life. Call {@link #close()} when the connection ends to free zlib's native memory.
 */
public final class ZrleEncoder implements AutoCloseable {

    private final ZlibStream zlib;
    private final TileWriter tiles = new TileWriter();

    /** Creates an encoder with zlib level 6, a good trade-off for screen content. */
    public ZrleEncoder() {
        this(6);
    }

    /**
     * @param level zlib compression level 0..9
     */
    public ZrleEncoder(int level) {
        zlib = new ZlibStream(level);
    }

    /**
     * @param level new zlib compression level 0..9, from the next rectangle on (the stream continues)
     */
    public void setLevel(int level) {
        zlib.setLevel(level);
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
        int length = tiles.write(src, offset, stride, width, height, converter);
        int compressed = zlib.compress(tiles.data, 0, length);
        out.ensureWritable(4 + compressed);
        out.writeInt(compressed);
        out.writeBytes(zlib.output(), 0, compressed);
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
        TileWriter writer = new TileWriter();
        int length = writer.write(src, offset, stride, width, height, converter);
        out.writeBytes(writer.data, 0, length);
    }

    private static int runLengthBytes(int length) {
        return (length - 1) / 255 + 1;
    }

    /** Turns rectangles into uncompressed ZRLE tile data in {@link #data}, reusing its arrays. */
    private static final class TileWriter {
        private static final int PALETTE_SLOTS = 256; // at least twice the 128 entries tracked: short probes

        byte[] data = new byte[16384];
        private int pos;
        private final int[] tile = new int[Zrle.TILE * Zrle.TILE];
        private final byte[] index = new byte[Zrle.TILE * Zrle.TILE];
        private final int[] paletteColours = new int[128];
        private final int[] slotColour = new int[PALETTE_SLOTS];
        private final byte[] slotIndex = new byte[PALETTE_SLOTS];
        /** A slot is in use when its stamp equals {@link #generation}: no clearing between tiles. */
        private final int[] slotStamp = new int[PALETTE_SLOTS];
        private int generation;

        int write(int[] src, int offset, int stride, int width, int height, PixelConverter converter) {
            pos = 0;
            for (int ty = 0; ty < height; ty += Zrle.TILE) {
                int th = Math.min(Zrle.TILE, height - ty);
                for (int tx = 0; tx < width; tx += Zrle.TILE) {
                    int tw = Math.min(Zrle.TILE, width - tx);
                    writeTile(src, offset + ty * stride + tx, stride, tw, th, converter);
                }
            }
            return pos;
        }

        private void writeTile(int[] src, int offset, int stride, int tw, int th, PixelConverter converter) {
            int cp = converter.cpixelBytes();
            int n = tw * th;
            if (data.length - pos < 1 + n * cp + 16) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, pos + 1 + n * cp + 16));
            }
            for (int row = 0; row < th; row++) {
                converter.toPixelRow(src, offset + row * stride, tile, row * tw, tw);
            }
            if (++generation == 0) {
                Arrays.fill(slotStamp, 0);
                generation = 1;
            }
            int colours = 0; // 128 means "more than 127"
            long plainRle = 0;
            long paletteRle = 0;
            int runStart = 0;
            int previous = tile[0];
            byte previousIndex = 0;
            for (int i = 0; i < n; i++) {
                int p = tile[i];
                if (i > 0 && p == previous) {
                    index[i] = previousIndex;
                    continue;
                }
                if (i > 0) {
                    int length = i - runStart;
                    plainRle += cp + runLengthBytes(length);
                    paletteRle += length == 1 ? 1 : 1 + runLengthBytes(length);
                    runStart = i;
                }
                if (colours <= 127) {
                    int slot = (p * 0x9E3779B1) >>> 24;
                    while (slotStamp[slot] == generation && slotColour[slot] != p) {
                        slot = (slot + 1) & (PALETTE_SLOTS - 1);
                    }
                    if (slotStamp[slot] != generation) {
                        slotStamp[slot] = generation;
                        slotColour[slot] = p;
                        slotIndex[slot] = (byte) colours;
                        if (colours < 127) {
                            paletteColours[colours] = p;
                        }
                        colours++;
                    }
                    previousIndex = slotIndex[slot];
                }
                index[i] = previousIndex;
                previous = p;
            }
            int last = n - runStart;
            plainRle += cp + runLengthBytes(last);
            paletteRle += last == 1 ? 1 : 1 + runLengthBytes(last);
            if (colours == 1) {
                data[pos++] = Zrle.SUB_SOLID;
                pos = converter.putCpixels(tile, 0, 1, data, pos);
                return;
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
            data[pos++] = (byte) choice;
            if (choice == Zrle.SUB_RAW) {
                pos = converter.putCpixels(tile, 0, n, data, pos);
            } else if (choice == Zrle.SUB_PLAIN_RLE) {
                writeRuns(n, converter, false);
            } else {
                pos = converter.putCpixels(paletteColours, 0, colours, data, pos);
                if (choice < 128) {
                    writePacked(tw, th, Zrle.packedBits(colours));
                } else {
                    writeRuns(n, converter, true);
                }
            }
        }

        private void writeRuns(int n, PixelConverter converter, boolean withPalette) {
            int i = 0;
            while (i < n) {
                int j = i + 1;
                while (j < n && tile[j] == tile[i]) {
                    j++;
                }
                int length = j - i;
                if (!withPalette) {
                    pos = converter.putCpixels(tile, i, 1, data, pos);
                    writeRunLength(length);
                } else if (length == 1) {
                    data[pos++] = index[i];
                } else {
                    data[pos++] = (byte) (index[i] | 128);
                    writeRunLength(length);
                }
                i = j;
            }
        }

        private void writeRunLength(int length) {
            int rest = length - 1;
            while (rest >= 255) {
                data[pos++] = (byte) 255;
                rest -= 255;
            }
            data[pos++] = (byte) rest;
        }

        private void writePacked(int tw, int th, int bits) {
            for (int row = 0; row < th; row++) {
                int acc = 0;
                int used = 0;
                for (int col = 0; col < tw; col++) {
                    acc = (acc << bits) | index[row * tw + col];
                    used += bits;
                    if (used == 8) {
                        data[pos++] = (byte) acc;
                        acc = 0;
                        used = 0;
                    }
                }
                if (used > 0) {
                    data[pos++] = (byte) (acc << (8 - used));
                }
            }
        }
    }

    @Override
    public void close() {
        zlib.end();
    }
}
