package org.replaydesk.rfb.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.replaydesk.rfb.TestBytes.decode;
import static org.replaydesk.rfb.TestBytes.drain;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.replaydesk.rfb.ColourMap;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.SetColourMapEntries;
import org.replaydesk.rfb.SetEncodings;
import org.replaydesk.rfb.UpdateRectangle;
import org.replaydesk.rfb.encoding.PixelConverter;

/**
 * Server encoder to client decoder for every lossless encoding and a sweep of client pixel formats, on seeded random
 * images built to hit every tile kind (solid areas, two-colour text, few-colour areas, noise, gradients). The expected
 * image is the source quantised to the client format. Several updates go through the same encoder/decoder pair, so
 * the persistent zlib streams are exercised; one variant feeds the decoder byte by byte.
 */
class RoundTripTest {

    private static final int FB_WIDTH = 150;
    private static final int FB_HEIGHT = 100;

    /** 6x6x6 colour cube plus 40 greys: a typical 256-entry server colour map. */
    static ColourMap cubeMap() {
        int[] colours = new int[256];
        int i = 0;
        for (int r = 0; r < 6; r++) {
            for (int g = 0; g < 6; g++) {
                for (int b = 0; b < 6; b++) {
                    colours[i++] = (r * 51) << 16 | (g * 51) << 8 | b * 51;
                }
            }
        }
        while (i < 256) {
            int grey = (i - 216) * 255 / 39;
            colours[i++] = grey * 0x010101;
        }
        return ColourMap.ofRgb(colours);
    }

    static Stream<PixelFormat> formats() {
        return Stream.of(PixelFormat.RGB888_LE, PixelFormat.RGB888_BE, PixelFormat.BGR888_LE,
                PixelFormat.trueColour(32, 24, true, 255, 255, 255, 24, 16, 8), // colour in the high 3 bytes
                PixelFormat.trueColour(32, 32, false, 255, 255, 255, 16, 8, 0), // depth 32: 4-byte CPIXEL
                PixelFormat.trueColour(32, 30, false, 1023, 1023, 1023, 20, 10, 0), // 10 bits per channel
                PixelFormat.RGB565_LE, PixelFormat.RGB565_BE, PixelFormat.RGB555_LE, PixelFormat.BGR233,
                PixelFormat.trueColour(8, 6, false, 3, 3, 3, 4, 2, 0), // rgb222
                PixelFormat.COLOUR_MAP_8);
    }

    static Stream<Arguments> sweep() {
        return formats().flatMap(f -> Stream.of(Encodings.RAW, Encodings.HEXTILE, Encodings.ZRLE, Encodings.TIGHT)
                .map(e -> Arguments.of(Encodings.name(e), f, e)));
    }

    /** Synthetic desktop: background, a window of text-like two-colour strokes, a few-colour icon, noise, gradient. */
    static int[] desktop(int width, int height, long seed) {
        Random random = new Random(seed);
        int[] pixels = new int[width * height];
        int background = random.nextInt(0x1000000);
        int[] icon = {random.nextInt(0x1000000), random.nextInt(0x1000000), random.nextInt(0x1000000),
            random.nextInt(0x1000000), random.nextInt(0x1000000)};
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = background;
                if (x >= 10 && x < 70 && y >= 5 && y < 45) {
                    p = random.nextInt(5) == 0 ? 0x000000 : 0xFFFFFF; // text window
                } else if (x >= 80 && x < 100 && y >= 10 && y < 30) {
                    p = icon[(x / 3 + y / 4) % icon.length]; // icon with few colours
                } else if (y >= 60 && x < 75) {
                    p = random.nextInt(0x1000000); // photo-like noise
                } else if (y >= 60) {
                    p = (x * 255 / width) << 16 | (y * 255 / height) << 8 | 0x40; // gradient
                } else if (random.nextInt(200) == 0) {
                    p = random.nextInt(0x1000000); // scattered dots
                }
                pixels[y * width + x] = p;
            }
        }
        return pixels;
    }

    private static int[] quantised(int[] source, PixelConverter converter, Rect rect, int stride) {
        int[] expected = new int[rect.width() * rect.height()];
        for (int y = 0; y < rect.height(); y++) {
            for (int x = 0; x < rect.width(); x++) {
                expected[y * rect.width() + x] = converter.quantize(source[(rect.y() + y) * stride + rect.x() + x]);
            }
        }
        return expected;
    }

    private static final Rect[] RECTS = {new Rect(0, 0, FB_WIDTH, FB_HEIGHT), new Rect(7, 3, 70, 50),
        new Rect(140, 90, 10, 10), new Rect(0, 0, 1, 1), new Rect(33, 61, 64, 39)};
    /** Smaller set for byte-at-a-time feeding, which costs one pipeline pass per byte; still crosses tile edges. */
    private static final Rect[] SMALL_RECTS = {new Rect(7, 3, 40, 30), new Rect(140, 90, 10, 10),
        new Rect(60, 55, 20, 20)};

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("sweep")
    void losslessRoundTrip(String name, PixelFormat format, int encoding) {
        roundTrip(format, encoding, false, 3);
    }

    @ParameterizedTest(name = "{0} {1} byte at a time")
    @MethodSource("sweep")
    void losslessRoundTripByteAtATime(String name, PixelFormat format, int encoding) {
        if (format.equals(PixelFormat.RGB888_LE) || format.equals(PixelFormat.RGB565_BE)
                || format.equals(PixelFormat.COLOUR_MAP_8)) {
            roundTrip(format, encoding, true, 1);
        }
    }

    private static void roundTrip(PixelFormat format, int encoding, boolean byteAtATime, int updates) {
        ColourMap map = format.trueColour() ? null : cubeMap();
        FramebufferUpdateEncoder encoder = new FramebufferUpdateEncoder(PixelFormat.RGB888_LE);
        ServerMessageDecoder decoder = new ServerMessageDecoder(PixelFormat.RGB888_LE, FB_WIDTH, FB_HEIGHT);
        EmbeddedChannel client = new EmbeddedChannel(decoder);
        ByteBuf wire = Unpooled.buffer();
        if (map != null) {
            encoder.setPixelFormat(format, map);
            decoder.setPixelFormat(format);
            RfbMessageEncoder.write(map.toMessage(0, map.size()), wire);
        } else {
            encoder.setPixelFormat(format);
            decoder.setPixelFormat(format);
        }
        List<Object> expected = new ArrayList<>();
        if (map != null) {
            expected.add(map.toMessage(0, map.size()));
        }
        PixelConverter converter = encoder.converter();
        for (int u = 0; u < updates; u++) {
            int[] framebuffer = desktop(FB_WIDTH, FB_HEIGHT, 42 + u);
            List<UpdateRectangle> sent = new ArrayList<>();
            List<UpdateRectangle> want = new ArrayList<>();
            for (Rect rect : byteAtATime ? SMALL_RECTS : RECTS) {
                sent.add(PixelRectangle.of(encoding, rect, framebuffer, FB_WIDTH));
                want.add(PixelRectangle.ofPixels(encoding, rect, quantised(framebuffer, converter, rect, FB_WIDTH)));
            }
            encoder.write(new FramebufferUpdate(sent), wire);
            expected.add(new FramebufferUpdate(want));
        }
        List<Object> decoded = decode(client, drain(wire), byteAtATime);
        assertEquals(expected.size(), decoded.size());
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i) instanceof FramebufferUpdate e) {
                FramebufferUpdate d = (FramebufferUpdate) decoded.get(i);
                for (int r = 0; r < e.rectangles().size(); r++) {
                    PixelRectangle want = (PixelRectangle) e.rectangles().get(r);
                    PixelRectangle got = (PixelRectangle) d.rectangles().get(r);
                    assertEquals(want.rect(), got.rect());
                    assertArrayEquals(want.toArray(), got.toArray(), "update " + i + " rectangle " + want.rect());
                }
            } else {
                assertEquals(expected.get(i), decoded.get(i));
            }
        }
        client.finishAndReleaseAll();
    }

    @Test
    void colourMapMessageUpdatesTheDecodersMap() {
        ServerMessageDecoder decoder = new ServerMessageDecoder(PixelFormat.COLOUR_MAP_8, 4, 4);
        ByteBuf wire = Unpooled.buffer();
        RfbMessageEncoder.write(new SetColourMapEntries(3, new int[] {0xFFFF, 0x8080, 0}), wire);
        decode(decoder, drain(wire), false);
        assertEquals(0xFF8000, decoder.colourMap().rgb(3));
    }

    /** Tight rectangles wider than 2048 pixels are split by the encoder; the decoder sees several rectangles. */
    @Test
    void tightSplitsWideRectangles() {
        int width = 2100;
        int height = 40;
        int[] framebuffer = new int[width * height];
        Random random = new Random(7);
        for (int i = 0; i < framebuffer.length; i++) {
            framebuffer[i] = random.nextInt(64) * 0x030303;
        }
        FramebufferUpdateEncoder encoder = new FramebufferUpdateEncoder(PixelFormat.RGB888_LE);
        ByteBuf wire = Unpooled.buffer();
        encoder.write(FramebufferUpdate.of(PixelRectangle.of(Encodings.TIGHT, new Rect(0, 0, width, height),
                framebuffer, width)), wire);
        List<Object> decoded = decode(new ServerMessageDecoder(PixelFormat.RGB888_LE, width, height), drain(wire),
                false);
        int[] reassembled = new int[width * height];
        FramebufferUpdate update = (FramebufferUpdate) decoded.get(0);
        assertTrue(update.rectangles().size() > 1, "split into " + update.rectangles().size());
        for (UpdateRectangle r : update.rectangles()) {
            PixelRectangle p = (PixelRectangle) r;
            assertTrue(p.rect().width() <= 2048);
            for (int y = 0; y < p.rect().height(); y++) {
                System.arraycopy(p.toArray(), y * p.rect().width(), reassembled, (p.rect().y() + y) * width
                        + p.rect().x(), p.rect().width());
            }
        }
        assertArrayEquals(framebuffer, reassembled);
    }

    static Stream<Arguments> jpegQualities() {
        // quality level, tolerated mean absolute error per channel (0..255). Measured with the JDK's JPEG writer on
        // this image: 0.63 at 9, 1.42 at 7, 1.80 at 5, 6.53 at 0; the tolerances leave room for other JDKs.
        return Stream.of(Arguments.of(9, 2.0), Arguments.of(7, 3.0), Arguments.of(5, 4.0), Arguments.of(0, 10.0));
    }

    /** JPEG is lossy: compare the mean absolute error per channel against a tolerance that grows as quality drops. */
    @ParameterizedTest(name = "JPEG quality {0}")
    @MethodSource("jpegQualities")
    void tightJpegRoundTripWithinTolerance(int quality, double tolerance) {
        int width = 96;
        int height = 64;
        int[] photo = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (int) (128 + 100 * Math.sin(x / 9.0));
                int g = (int) (128 + 100 * Math.cos(y / 7.0));
                int b = (x * 2 + y) & 0xFF;
                photo[y * width + x] = r << 16 | g << 8 | b;
            }
        }
        FramebufferUpdateEncoder encoder = new FramebufferUpdateEncoder(PixelFormat.RGB888_LE);
        encoder.setEncodings(SetEncodings.of(Encodings.TIGHT, Encodings.JPEG_QUALITY_LEVEL_0 + quality));
        ByteBuf wire = Unpooled.buffer();
        encoder.write(FramebufferUpdate.of(PixelRectangle.of(Encodings.TIGHT, new Rect(0, 0, width, height), photo,
                width)), wire);
        assertEquals(0x90, wire.getUnsignedByte(16), "compression-control says JPEG");
        List<Object> decoded = decode(new ServerMessageDecoder(PixelFormat.RGB888_LE, width, height), drain(wire),
                true);
        int[] got = ((PixelRectangle) ((FramebufferUpdate) decoded.get(0)).rectangles().get(0)).toArray();
        long error = 0;
        for (int i = 0; i < photo.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                error += Math.abs(((photo[i] >> shift) & 0xFF) - ((got[i] >> shift) & 0xFF));
            }
        }
        double mean = error / (3.0 * photo.length);
        assertTrue(mean <= tolerance, "mean absolute error " + mean + " at quality " + quality);
    }
}
