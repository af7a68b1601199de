package org.replaydesk.rfb.encoding;

/** ZRLE constants shared by {@link ZrleEncoder} and {@link ZrleDecoder}. */
final class Zrle {
    static final int TILE = 64;
    static final int SUB_RAW = 0;
    static final int SUB_SOLID = 1;
    static final int SUB_PLAIN_RLE = 128;

    private Zrle() {
    }

    /** Bits per palette index of a packed-palette tile (RFC 6143 7.7.6). */
    static int packedBits(int paletteSize) {
        return paletteSize == 2 ? 1 : paletteSize <= 4 ? 2 : 4;
    }

    /** Largest legitimate uncompressed size: every tile as a 127-colour palette, every pixel its own RLE run. */
    static long maxUncompressed(int width, int height, int cpixelBytes) {
        long tiles = (long) ((width + TILE - 1) / TILE) * ((height + TILE - 1) / TILE);
        return tiles * (1 + 127L * cpixelBytes) + (long) width * height * (cpixelBytes + 1);
    }
}
