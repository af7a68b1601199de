package org.replaydesk.rfb.encoding;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_ENCODED_DATA;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.zip.Inflater;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.internal.Wire;

/**
 * ZRLE decoder (16) for one connection: owns the zlib stream that continues across every ZRLE rectangle the server
 * sends. The announced length is checked against what the rectangle can legitimately need before any byte is
 * awaited, and the output of zlib is capped, so a hostile server cannot make the client allocate without bound.
 */
public final class ZrleDecoder implements AutoCloseable {

    private final Inflater inflater = new Inflater();

    /**
     * @param in source
     * @param width rectangle width
     * @param height rectangle height
     * @param converter client pixel format
     * @param dst 0x00RRGGBB destination
     * @param offset index of the top-left pixel in {@code dst}
     * @param stride ints per row of {@code dst}
     * @return {@code false}, consuming nothing and leaving the zlib stream untouched, if the buffer does not hold the
     *         whole rectangle yet
     */
    public boolean decode(ByteBuf in, int width, int height, PixelConverter converter, int[] dst, int offset,
            int stride) {
        if (in.readableBytes() < 4) {
            return false;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        long max = Zrle.maxUncompressed(width, height, converter.cpixelBytes());
        Wire.checkCompressedLength(length, max, "ZRLE");
        if (in.readableBytes() < 4 + length) {
            return false;
        }
        in.skipBytes(4);
        byte[] compressed = new byte[(int) length];
        in.readBytes(compressed);
        byte[] data = Wire.inflate(inflater, compressed, (int) Math.min(max, Integer.MAX_VALUE - 8), "ZRLE");
        ByteBuf tiles = Unpooled.wrappedBuffer(data);
        try {
            decodeTiles(tiles, width, height, converter, dst, offset, stride);
        } catch (IndexOutOfBoundsException e) {
            // The whole rectangle was decompressed, so running out of bytes here means the data is corrupt.
            throw new RfbProtocolException(BAD_ENCODED_DATA, "ZRLE data for a " + width + "x" + height
                    + " rectangle ends inside a tile (" + data.length + " bytes)", e);
        }
        return true;
    }

    /**
     * Decodes uncompressed tile data (what came out of zlib); public for tests.
     *
     * @param tiles uncompressed tile data
     * @param width rectangle width
     * @param height rectangle height
     * @param converter client pixel format
     * @param dst 0x00RRGGBB destination
     * @param offset index of the top-left pixel in {@code dst}
     * @param stride ints per row of {@code dst}
     */
    public static void decodeTiles(ByteBuf tiles, int width, int height, PixelConverter converter, int[] dst,
            int offset, int stride) {
        int[] palette = new int[128];
        for (int ty = 0; ty < height; ty += Zrle.TILE) {
            int th = Math.min(Zrle.TILE, height - ty);
            for (int tx = 0; tx < width; tx += Zrle.TILE) {
                int tw = Math.min(Zrle.TILE, width - tx);
                int n = tw * th;
                int base = offset + ty * stride + tx;
                int sub = tiles.readUnsignedByte();
                if (sub == Zrle.SUB_RAW) {
                    for (int i = 0; i < n; i++) {
                        put(dst, base, stride, tw, i, converter.toRgb(converter.readCpixel(tiles)));
                    }
                } else if (sub == Zrle.SUB_SOLID) {
                    int colour = converter.toRgb(converter.readCpixel(tiles));
                    for (int i = 0; i < n; i++) {
                        put(dst, base, stride, tw, i, colour);
                    }
                } else if (sub <= 16) {
                    readPalette(tiles, sub, converter, palette);
                    int bits = Zrle.packedBits(sub);
                    int mask = (1 << bits) - 1;
                    for (int row = 0; row < th; row++) {
                        int acc = 0;
                        int left = 0;
                        for (int col = 0; col < tw; col++) {
                            if (left == 0) {
                                acc = tiles.readUnsignedByte();
                                left = 8;
                            }
                            left -= bits;
                            int index = (acc >> left) & mask;
                            if (index >= sub) {
                                throw badIndex(index, sub, tx, ty);
                            }
                            put(dst, base, stride, tw, row * tw + col, palette[index]);
                        }
                    }
                } else if (sub == Zrle.SUB_PLAIN_RLE || sub >= 130) {
                    boolean plain = sub == Zrle.SUB_PLAIN_RLE;
                    int size = sub - 128;
                    if (!plain) {
                        readPalette(tiles, size, converter, palette);
                    }
                    int i = 0;
                    while (i < n) {
                        int colour;
                        int length = 1;
                        if (plain) {
                            colour = converter.toRgb(converter.readCpixel(tiles));
                            length = readRunLength(tiles);
                        } else {
                            int index = tiles.readUnsignedByte();
                            if ((index & 128) != 0) {
                                index &= 127;
                                length = readRunLength(tiles);
                            }
                            if (index >= size) {
                                throw badIndex(index, size, tx, ty);
                            }
                            colour = palette[index];
                        }
                        if (length > n - i) {
                            throw new RfbProtocolException(BAD_ENCODED_DATA, "ZRLE run of " + length
                                    + " pixels overflows the " + tw + "x" + th + " tile at " + tx + "," + ty);
                        }
                        for (int k = 0; k < length; k++) {
                            put(dst, base, stride, tw, i++, colour);
                        }
                    }
                } else {
                    throw new RfbProtocolException(BAD_ENCODED_DATA,
                            "ZRLE tile at " + tx + "," + ty + " has undefined sub-encoding " + sub);
                }
            }
        }
    }

    private static void put(int[] dst, int base, int stride, int tw, int i, int colour) {
        dst[base + (i / tw) * stride + i % tw] = colour;
    }

    private static void readPalette(ByteBuf tiles, int size, PixelConverter converter, int[] palette) {
        for (int i = 0; i < size; i++) {
            palette[i] = converter.toRgb(converter.readCpixel(tiles));
        }
    }

    private static int readRunLength(ByteBuf tiles) {
        int length = 1;
        int b;
        do {
            b = tiles.readUnsignedByte();
            length += b;
            if (length > Zrle.TILE * Zrle.TILE) {
                throw new RfbProtocolException(BAD_ENCODED_DATA, "ZRLE run length exceeds a 64x64 tile");
            }
        } while (b == 255);
        return length;
    }

    private static RfbProtocolException badIndex(int index, int size, int tx, int ty) {
        return new RfbProtocolException(BAD_ENCODED_DATA,
                "ZRLE palette index " + index + " >= palette size " + size + " in tile at " + tx + "," + ty);
    }

    @Override
    public void close() {
        inflater.end();
    }
}
