package org.replaydesk.rfb.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.replaydesk.rfb.TestBytes.bytes;
import static org.replaydesk.rfb.TestBytes.drain;
import static org.replaydesk.rfb.TestBytes.hex;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.replaydesk.rfb.PixelFormat;

/**
 * Golden bytes of the pixel encodings on small fixed images. Hextile uses 8 bpp bgr233 (one byte per pixel: red 0x07,
 * green 0x38, blue 0xC0, white 0xFF, black 0x00); ZRLE and Tight use 32 bpp little-endian RGB888, whose CPIXEL is
 * the low 3 bytes little endian (B, G, R) and whose TPIXEL is R, G, B.
 */
class EncodingGoldenTest {

    private static final int K = 0x000000;
    private static final int W = 0xFFFFFF;
    private static final int R = 0xFF0000;
    private static final int G = 0x00FF00;
    private static final int B = 0x0000FF;

    private static final PixelConverter BGR233 = new PixelConverter(PixelFormat.BGR233);
    private static final PixelConverter RGB888 = new PixelConverter(PixelFormat.RGB888_LE);

    private static int[] image(int width, int height, java.util.function.IntBinaryOperator colour) {
        int[] pixels = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                pixels[y * width + x] = colour.applyAsInt(x, y);
            }
        }
        return pixels;
    }

    static Stream<Arguments> hextile() {
        return Stream.of(
                Arguments.of("solid 4x4", 4, 4, image(4, 4, (x, y) -> W), bytes(
                        0x02, // tile 0: BackgroundSpecified
                        0xFF)), // background = white
                Arguments.of("monochrome 4x4", 4, 4, image(4, 4, (x, y) -> x >= 1 && x <= 2 && y >= 1 && y <= 2
                        ? W : K), bytes(
                        0x0E, // BackgroundSpecified | ForegroundSpecified | AnySubrects
                        0x00, // background = black (12 of 16 pixels)
                        0xFF, // foreground = white
                        0x01, // number-of-subrectangles = 1
                        0x11, // x = 1, y = 1
                        0x11)), // width - 1 = 1, height - 1 = 1: a 2x2 block
                Arguments.of("coloured 4x4", 4, 4, image(4, 4, (x, y) -> x == 0 && y == 0 ? R
                        : x == 3 && y == 3 ? G : K), bytes(
                        0x1A, // BackgroundSpecified | AnySubrects | SubrectsColoured
                        0x00, // background = black
                        0x02, // number-of-subrectangles = 2
                        0x07, 0x00, 0x00, // red, at 0,0, 1x1
                        0x38, 0x33, 0x00)), // green, at 3,3, 1x1
                Arguments.of("raw 2x2", 2, 2, new int[] {R, G, B, W}, bytes(
                        0x01, // Raw: cheaper than background + 3 coloured subrectangles
                        0x07, 0x38, // red, green
                        0xC0, 0xFF)), // blue, white
                Arguments.of("17x17 tile edges", 17, 17, image(17, 17, (x, y) -> x == 16 ? R : W), bytes(
                        0x02, 0xFF, // tile 0,0 16x16: background white
                        0x02, 0x07, // tile 16,0 1x16: background red
                        0x02, 0xFF, // tile 0,16 16x1: background white
                        0x02, 0x07)), // tile 16,16 1x1: background red
                Arguments.of("16x32 background carried over", 16, 32, image(16, 32, (x, y) -> W), bytes(
                        0x02, 0xFF, // tile 0,0: background white
                        0x00))); // tile 0,16: nothing specified, same background
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hextile")
    void hextileEncodesToGoldenBytes(String name, int width, int height, int[] pixels, byte[] wire) {
        ByteBuf out = Unpooled.buffer();
        HextileEncoding.encode(pixels, 0, width, width, height, BGR233, out);
        byte[] encoded = drain(out);
        assertArrayEquals(wire, encoded, () -> hex(encoded));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hextile")
    void hextileDecodesGoldenBytes(String name, int width, int height, int[] pixels, byte[] wire) {
        int[] decoded = new int[width * height];
        assertTrue(HextileEncoding.decode(Unpooled.wrappedBuffer(wire), width, height, BGR233, decoded, 0, width));
        assertArrayEquals(pixels, decoded);
    }

    @Test
    void hextileWaitsForATruncatedTile() {
        ByteBuf in = Unpooled.wrappedBuffer(bytes(0x0E, 0x00, 0xFF, 0x01, 0x11));
        assertTrue(!HextileEncoding.decode(in, 4, 4, BGR233, new int[16], 0, 4));
        assertTrue(in.readerIndex() == 0, "nothing consumed");
    }

    static Stream<Arguments> zrleTiles() {
        return Stream.of(
                Arguments.of("solid", 4, 4, image(4, 4, (x, y) -> R), true, bytes(
                        0x01, // sub-encoding 1: solid
                        0x00, 0x00, 0xFF)), // CPIXEL red (B, G, R)
                Arguments.of("packed palette 2 colours", 4, 4, image(4, 4, (x, y) -> x < 2 ? K : W), true, bytes(
                        0x02, // sub-encoding 2: packed palette of 2 colours, 1 bit per pixel
                        0x00, 0x00, 0x00, // palette[0] = black
                        0xFF, 0xFF, 0xFF, // palette[1] = white
                        0x30, 0x30, 0x30, 0x30)), // rows 0011....: black black white white
                Arguments.of("packed palette 3 colours", 3, 1, new int[] {R, G, B}, false, bytes( // raw is 1 byte smaller
                        0x03, // sub-encoding 3: packed palette of 3 colours, 2 bits per pixel
                        0x00, 0x00, 0xFF, // palette[0] = red
                        0x00, 0xFF, 0x00, // palette[1] = green
                        0xFF, 0x00, 0x00, // palette[2] = blue
                        0x18)), // 00 01 10 00: indices 0, 1, 2, padding
                Arguments.of("raw", 2, 1, new int[] {R, G}, false, bytes(
                        0x00, // sub-encoding 0: raw CPIXELs
                        0x00, 0x00, 0xFF, // red
                        0x00, 0xFF, 0x00)), // green
                Arguments.of("plain RLE", 4, 1, new int[] {R, R, R, B}, false, bytes(
                        0x80, // sub-encoding 128: plain RLE
                        0x00, 0x00, 0xFF, 0x02, // red, run length 2 + 1 = 3
                        0xFF, 0x00, 0x00, 0x00)), // blue, run length 0 + 1 = 1
                Arguments.of("plain RLE long run", 20, 15, image(20, 15, (x, y) -> G), false, bytes(
                        0x80, // sub-encoding 128: plain RLE
                        0x00, 0xFF, 0x00, // green
                        0xFF, 0x2C)), // run length 255 + 44 + 1 = 300
                Arguments.of("palette RLE", 4, 1, new int[] {R, R, R, B}, false, bytes(
                        0x82, // sub-encoding 130: palette RLE with 2 colours
                        0x00, 0x00, 0xFF, // palette[0] = red
                        0xFF, 0x00, 0x00, // palette[1] = blue
                        0x80, 0x02, // index 0 with run flag, run length 2 + 1 = 3
                        0x01)), // index 1, single pixel
                Arguments.of("two tiles 65x1", 65, 1, image(65, 1, (x, y) -> x < 64 ? W : B), true, bytes(
                        0x01, 0xFF, 0xFF, 0xFF, // tile 0,0 64x1: solid white
                        0x01, 0xFF, 0x00, 0x00))); // tile 64,0 1x1: solid blue
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zrleTiles")
    void zrleDecodesGoldenTileData(String name, int width, int height, int[] pixels, boolean encoderPicksIt,
            byte[] tiles) {
        int[] decoded = new int[width * height];
        ZrleDecoder.decodeTiles(Unpooled.wrappedBuffer(tiles), width, height, RGB888, decoded, 0, width);
        assertArrayEquals(pixels, decoded);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zrleTiles")
    void zrleEncodesGoldenTileData(String name, int width, int height, int[] pixels, boolean encoderPicksIt,
            byte[] tiles) {
        if (!encoderPicksIt) {
            return; // another sub-encoding is smaller for this image; the decoder vector still covers it
        }
        ByteBuf out = Unpooled.buffer();
        ZrleEncoder.encodeTiles(pixels, 0, width, width, height, RGB888, out);
        byte[] encoded = drain(out);
        assertArrayEquals(tiles, encoded, () -> hex(encoded));
    }

    /**
     * Two ZRLE rectangles in one zlib stream written by hand with stored (uncompressed) blocks, so the bytes do not
     * depend on the zlib version: the second rectangle has no zlib header because the stream continues.
     */
    @Test
    void zrleDecoderKeepsItsZlibStreamAcrossRectangles() {
        byte[] wire = bytes(
                0x00, 0x00, 0x00, 0x0B, // length = 11
                0x78, 0x01, // zlib header: deflate, 32 KiB window, fastest
                0x00, 0x04, 0x00, 0xFB, 0xFF, // stored block, not final, LEN = 4, NLEN = ~4
                0x01, 0x00, 0x00, 0xFF, // tile: solid red
                0x00, 0x00, 0x00, 0x09, // length = 9
                0x00, 0x04, 0x00, 0xFB, 0xFF, // stored block, LEN = 4, NLEN = ~4
                0x01, 0xFF, 0x00, 0x00); // tile: solid blue
        ByteBuf in = Unpooled.wrappedBuffer(wire);
        try (ZrleDecoder decoder = new ZrleDecoder()) {
            int[] first = new int[4];
            assertTrue(decoder.decode(in, 2, 2, RGB888, first, 0, 2));
            assertArrayEquals(new int[] {R, R, R, R}, first);
            int[] second = new int[4];
            assertTrue(decoder.decode(in, 2, 2, RGB888, second, 0, 2));
            assertArrayEquals(new int[] {B, B, B, B}, second);
        }
    }

    static Stream<Arguments> tight() {
        return Stream.of(
                Arguments.of("fill", 4, 4, image(4, 4, (x, y) -> R), true, bytes(
                        0x80, // compression-control: fill
                        0xFF, 0x00, 0x00)), // TPIXEL red (R, G, B)
                Arguments.of("mono palette", 4, 4, image(4, 4, (x, y) -> x < 2 ? K : W), true, bytes(
                        0x50, // basic compression, stream 1, explicit filter
                        0x01, // filter-id = 1 palette
                        0x01, // number-of-colours - 1 = 1
                        0x00, 0x00, 0x00, // palette[0] = black
                        0xFF, 0xFF, 0xFF, // palette[1] = white
                        0x30, 0x30, 0x30, 0x30)), // 1 bit per pixel, rows padded: 4 bytes < 12, not compressed
                Arguments.of("3-colour palette", 3, 1, new int[] {R, G, B}, true, bytes(
                        0x60, // basic compression, stream 2, explicit filter
                        0x01, // filter-id = 1 palette
                        0x02, // number-of-colours - 1 = 2
                        0xFF, 0x00, 0x00, // palette[0] = red
                        0x00, 0xFF, 0x00, // palette[1] = green
                        0x00, 0x00, 0xFF, // palette[2] = blue
                        0x00, 0x01, 0x02)), // one index byte per pixel, not compressed
                Arguments.of("copy filter, short", 2, 1, new int[] {R, G}, false, bytes(
                        0x00, // basic compression, stream 0, implicit copy filter
                        0xFF, 0x00, 0x00, // TPIXEL red
                        0x00, 0xFF, 0x00)), // TPIXEL green: 6 bytes < 12, not compressed
                Arguments.of("copy filter, zlib", 4, 1, new int[] {R, G, B, W}, false, bytes(
                        0x00, // basic compression, stream 0, implicit copy filter
                        0x13, // compact length = 19
                        0x78, 0x01, // zlib header
                        0x00, 0x0C, 0x00, 0xF3, 0xFF, // stored block, LEN = 12, NLEN = ~12
                        0xFF, 0x00, 0x00, 0x00, 0xFF, 0x00, // red, green
                        0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF)), // blue, white
                Arguments.of("gradient filter", 2, 2, new int[] {0x0A141E, 0x141E28, 0x1E2832, 0x28323C}, false,
                        bytes(
                        0x70, // basic compression, stream 3, explicit filter
                        0x02, // filter-id = 2 gradient
                        0x13, // compact length = 19
                        0x78, 0x01, // zlib header
                        0x00, 0x0C, 0x00, 0xF3, 0xFF, // stored block, LEN = 12, NLEN = ~12
                        0x0A, 0x14, 0x1E, // (0,0): predicted 0, difference 10,20,30
                        0x0A, 0x0A, 0x0A, // (1,0): predicted left 10,20,30, difference 10,10,10
                        0x14, 0x14, 0x14, // (0,1): predicted above 10,20,30, difference 20,20,20
                        0x00, 0x00, 0x00))); // (1,1): predicted 30+20-10 etc. = 40,50,60, difference 0
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tight")
    void tightDecodesGoldenBytes(String name, int width, int height, int[] pixels, boolean encoderPicksIt,
            byte[] wire) {
        int[] decoded = new int[width * height];
        try (TightDecoder decoder = new TightDecoder()) {
            assertTrue(decoder.decode(Unpooled.wrappedBuffer(wire), width, height, RGB888, decoded, 0, width));
        }
        assertArrayEquals(pixels, decoded);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tight")
    void tightEncodesGoldenBytes(String name, int width, int height, int[] pixels, boolean encoderPicksIt,
            byte[] wire) {
        if (!encoderPicksIt) {
            return; // the encoder prefers a palette for so few colours
        }
        ByteBuf out = Unpooled.buffer();
        try (TightEncoder encoder = new TightEncoder()) {
            encoder.encode(pixels, 0, width, width, height, RGB888, out);
        }
        byte[] encoded = drain(out);
        assertArrayEquals(wire, encoded, () -> hex(encoded));
    }

    /** Control bit 0 resets stream 0, so a new zlib header is accepted where the old stream would reject it. */
    @Test
    void tightResetsAStreamWhenAsked() {
        byte[] first = bytes(0x00, 0x13, 0x78, 0x01, 0x00, 0x0C, 0x00, 0xF3, 0xFF,
                0xFF, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF);
        byte[] second = first.clone();
        second[0] = 0x01; // compression-control: reset stream 0, then basic compression on stream 0
        ByteBuf in = Unpooled.wrappedBuffer(first, second);
        try (TightDecoder decoder = new TightDecoder()) {
            int[] decoded = new int[4];
            assertTrue(decoder.decode(in, 4, 1, RGB888, decoded, 0, 4));
            Arrays.fill(decoded, 0);
            assertTrue(decoder.decode(in, 4, 1, RGB888, decoded, 0, 4));
            assertArrayEquals(new int[] {R, G, B, W}, decoded);
        }
    }

    @Test
    void tightWaitsWithoutTouchingZlibUntilTheRectangleIsComplete() {
        byte[] wire = bytes(0x00, 0x13, 0x78, 0x01, 0x00, 0x0C, 0x00, 0xF3, 0xFF,
                0xFF, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF);
        try (TightDecoder decoder = new TightDecoder()) {
            int[] decoded = new int[4];
            for (int length = 0; length < wire.length; length++) {
                ByteBuf partial = Unpooled.wrappedBuffer(Arrays.copyOf(wire, length));
                assertTrue(!decoder.decode(partial, 4, 1, RGB888, decoded, 0, 4));
                assertTrue(partial.readerIndex() == 0);
            }
            assertTrue(decoder.decode(Unpooled.wrappedBuffer(wire), 4, 1, RGB888, decoded, 0, 4));
            assertArrayEquals(new int[] {R, G, B, W}, decoded);
        }
    }
}
