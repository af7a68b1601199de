package org.replaydesk.rfb.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.replaydesk.rfb.TestBytes.bytes;
import static org.replaydesk.rfb.TestBytes.drain;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.replaydesk.rfb.ColourMap;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.RfbProtocolException;

/** Golden conversions from 0x00RRGGBB to every kind of client pixel format and back, and format validation. */
class PixelConverterTest {

    /** 0x00RRGGBB framebuffer of 3x2 whose left 2x2 region (stride 3) is converted: red, green / blue, mid grey. */
    private static final int[] FRAMEBUFFER = {
        0xFF0000, 0x00FF00, 0x123456,
        0x0000FF, 0x808080, 0x654321};

    static Stream<Arguments> goldenConversions() {
        return Stream.of(
                Arguments.of("bgr233", PixelFormat.BGR233, bytes(
                        0x07, // red: r=7 << 0
                        0x38, // green: g=7 << 3
                        0xC0, // blue: b=3 << 6
                        0xA4), // grey 0x80: r=4, g=4 << 3, b=2 << 6
                        new int[] {0xFF0000, 0x00FF00, 0x0000FF, 0x9292AA}), // grey comes back as 146,146,170
                Arguments.of("rgb565 little endian", PixelFormat.RGB565_LE, bytes(
                        0x00, 0xF8, // red: 31 << 11 = 0xF800, low byte first
                        0xE0, 0x07, // green: 63 << 5 = 0x07E0
                        0x1F, 0x00, // blue: 31
                        0x10, 0x84), // grey: 16 << 11 | 32 << 5 | 16 = 0x8410
                        new int[] {0xFF0000, 0x00FF00, 0x0000FF, 0x848284}),
                Arguments.of("rgb565 big endian", PixelFormat.RGB565_BE, bytes(
                        0xF8, 0x00, // red: 0xF800, high byte first
                        0x07, 0xE0, // green: 0x07E0
                        0x00, 0x1F, // blue: 0x001F
                        0x84, 0x10), // grey: 0x8410
                        new int[] {0xFF0000, 0x00FF00, 0x0000FF, 0x848284}),
                Arguments.of("rgb888 32 bpp little endian", PixelFormat.RGB888_LE, bytes(
                        0x00, 0x00, 0xFF, 0x00, // red 0x00FF0000, low byte first
                        0x00, 0xFF, 0x00, 0x00, // green 0x0000FF00
                        0xFF, 0x00, 0x00, 0x00, // blue 0x000000FF
                        0x80, 0x80, 0x80, 0x00), // grey 0x00808080
                        new int[] {0xFF0000, 0x00FF00, 0x0000FF, 0x808080}),
                Arguments.of("rgb888 32 bpp big endian", PixelFormat.RGB888_BE, bytes(
                        0x00, 0xFF, 0x00, 0x00, // red 0x00FF0000, high byte first
                        0x00, 0x00, 0xFF, 0x00, // green
                        0x00, 0x00, 0x00, 0xFF, // blue
                        0x00, 0x80, 0x80, 0x80), // grey
                        new int[] {0xFF0000, 0x00FF00, 0x0000FF, 0x808080}),
                Arguments.of("bgr888 32 bpp little endian", PixelFormat.BGR888_LE, bytes(
                        0xFF, 0x00, 0x00, 0x00, // red at shift 0
                        0x00, 0xFF, 0x00, 0x00, // green at shift 8
                        0x00, 0x00, 0xFF, 0x00, // blue at shift 16
                        0x80, 0x80, 0x80, 0x00), // grey
                        new int[] {0xFF0000, 0x00FF00, 0x0000FF, 0x808080}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenConversions")
    void convertsRegionWithStride(String name, PixelFormat format, byte[] wire, int[] back) {
        PixelConverter converter = new PixelConverter(format);
        ByteBuf out = Unpooled.buffer();
        converter.encode(FRAMEBUFFER, 0, 3, 2, 2, out);
        assertArrayEquals(wire, drain(out));
        int[] decoded = new int[6];
        converter.decode(Unpooled.wrappedBuffer(wire), decoded, 1, 3, 2, 2);
        assertArrayEquals(new int[] {0, back[0], back[1], 0, back[2], back[3]}, decoded);
    }

    @Test
    void colourMapUsesNearestEntry() {
        ColourMap map = ColourMap.ofRgb(0x000000, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF);
        PixelConverter converter = new PixelConverter(PixelFormat.COLOUR_MAP_8, map);
        ByteBuf out = Unpooled.buffer();
        converter.encode(new int[] {0xF01010, 0x10E010, 0x101010, 0xEEEEEE}, 0, 4, 4, 1, out);
        assertArrayEquals(bytes(
                0x01, // 0xF01010 -> entry 1 red
                0x02, // 0x10E010 -> entry 2 green
                0x00, // 0x101010 -> entry 0 black
                0x04), // 0xEEEEEE -> entry 4 white
                drain(out));
        assertEquals(0xFF0000, converter.toRgb(1));
        assertEquals(0, converter.toRgb(200), "indices beyond the map read as black");
    }

    @Test
    void cpixelDropsTheUnusedByte() {
        ByteBuf out = Unpooled.buffer();
        new PixelConverter(PixelFormat.RGB888_LE).writeCpixel(out, 0x123456);
        new PixelConverter(PixelFormat.RGB888_BE).writeCpixel(out, 0x123456);
        PixelFormat high = PixelFormat.trueColour(32, 24, false, 255, 255, 255, 24, 16, 8);
        new PixelConverter(high).writeCpixel(out, 0x12345600);
        new PixelConverter(PixelFormat.RGB565_LE).writeCpixel(out, 0xF800);
        assertArrayEquals(bytes(
                0x56, 0x34, 0x12, // little endian, colour in the low 3 bytes: the low 3 bytes, low first
                0x12, 0x34, 0x56, // big endian, colour in the low 3 bytes: the low 3 bytes, high first
                0x56, 0x34, 0x12, // little endian, colour in the high 3 bytes (pixel 00 56 34 12): the high 3
                0x00, 0xF8), // 16 bpp: a CPIXEL is a whole PIXEL
                drain(out));
    }

    @Test
    void tpixelIsRgbOnlyFor888() {
        assertTrue(new PixelConverter(PixelFormat.BGR888_LE).tpixelIsRgb());
        ByteBuf out = Unpooled.buffer();
        new PixelConverter(PixelFormat.BGR888_LE).writeTpixel(out, new PixelConverter(PixelFormat.BGR888_LE)
                .toPixel(0x123456));
        assertArrayEquals(bytes(0x12, 0x34, 0x56), drain(out)); // always red, green, blue
        assertEquals(2, new PixelConverter(PixelFormat.RGB565_LE).tpixelBytes());
        assertEquals(4, new PixelConverter(PixelFormat.trueColour(32, 32, false, 255, 255, 255, 16, 8, 0))
                .tpixelBytes(), "depth 32 is not the 3-byte TPIXEL case");
    }

    @Test
    void quantisingIsIdempotentForEveryChannelDepth() {
        for (int bits = 1; bits <= 8; bits++) {
            int max = (1 << bits) - 1;
            PixelConverter converter = new PixelConverter(PixelFormat.trueColour(32, 24, false, max, max, max, 16, 8,
                    0));
            for (int c = 0; c < 256; c++) {
                int once = converter.quantize(c * 0x010101);
                assertEquals(once, converter.quantize(once), "bits " + bits + " value " + c);
            }
        }
    }

    static Stream<Arguments> invalidFormats() {
        return Stream.of(
                Arguments.of(PixelFormat.trueColour(24, 24, false, 255, 255, 255, 16, 8, 0),
                        "bits-per-pixel 24 is not 8, 16 or 32"),
                Arguments.of(PixelFormat.trueColour(16, 17, false, 31, 63, 31, 11, 5, 0),
                        "depth 17 is not between 1 and bits-per-pixel 16"),
                Arguments.of(PixelFormat.trueColour(16, 16, false, 30, 63, 31, 11, 5, 0),
                        "red-max 30 is not 2^n-1"),
                Arguments.of(PixelFormat.trueColour(16, 16, false, 31, 0, 31, 11, 5, 0),
                        "green-max 0 is not 2^n-1"),
                Arguments.of(PixelFormat.trueColour(16, 16, false, 31, 63, 31, 12, 5, 0),
                        "red-shift 12 puts a 5-bit field outside bits-per-pixel 16"),
                Arguments.of(PixelFormat.trueColour(32, 24, false, 255, 255, 255, 16, 8, 40),
                        "blue-shift 40 puts a 8-bit field outside bits-per-pixel 32"),
                Arguments.of(PixelFormat.trueColour(32, 24, false, 255, 255, 255, 16, 12, 0),
                        "colour fields overlap"),
                Arguments.of(new PixelFormat(8, 0, false, false, 0, 0, 0, 0, 0, 0), "depth 0"));
    }

    @ParameterizedTest
    @MethodSource("invalidFormats")
    void rejectsInvalidFormatsNamingTheField(PixelFormat format, String reason) {
        RfbProtocolException e = assertThrows(RfbProtocolException.class, format::validate);
        assertEquals(RfbProtocolException.Reason.BAD_PIXEL_FORMAT, e.reason());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
