package org.replaydesk.rfb.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The persistent zlib streams after a level change. Regression: TigerVNC and noVNC always ask for compression level 2;
 * the JDK's Deflater applies a new level in a deflate() call that outputs nothing, and the encoders took that for
 * "done", so the first ZRLE/Tight rectangle after the change went out with no data and the viewers failed with
 * "End of stream".
 */
class ZlibStreamTest {

    private static byte[] data(int seed, int length) {
        byte[] b = new byte[length];
        Random r = new Random(seed);
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i % 7 == 0 ? r.nextInt() : i / 64);
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 6, 9})
    void everyRectangleAfterALevelChangeDecompressesToItsInput(int newLevel) throws Exception {
        ZlibStream stream = new ZlibStream(6);
        Inflater inflater = new Inflater();
        try {
            for (int i = 0; i < 4; i++) {
                if (i == 1 || i == 3) {
                    stream.setLevel(i == 1 ? newLevel : 6);
                }
                byte[] in = data(i, 20_000 + i * 1000);
                int n = stream.compress(in, 0, in.length);
                assertTrue(n > 0, "rectangle " + i + " has compressed data");
                inflater.setInput(Arrays.copyOf(stream.output(), n));
                byte[] out = new byte[in.length];
                int got = 0;
                while (got < out.length) {
                    int k = inflater.inflate(out, got, out.length - got);
                    assertTrue(k > 0, "rectangle " + i + " decompresses completely (got " + got + ")");
                    got += k;
                }
                assertArrayEquals(in, out);
            }
        } finally {
            stream.end();
            inflater.end();
        }
    }

    @Test
    void wireDeflateAfterALevelChangeToo() throws Exception {
        Deflater deflater = new Deflater(6);
        Inflater inflater = new Inflater();
        try {
            byte[] first = data(1, 5000);
            byte[] c1 = Wire.deflate(deflater, Unpooled.wrappedBuffer(first));
            deflater.setLevel(2);
            byte[] second = data(2, 5000);
            byte[] c2 = Wire.deflate(deflater, Unpooled.wrappedBuffer(second));
            assertTrue(c2.length > 0);
            assertArrayEquals(first, Wire.inflateExactly(inflater, c1, first.length, "test"));
            assertArrayEquals(second, Wire.inflateExactly(inflater, c2, second.length, "test"));
        } finally {
            deflater.end();
            inflater.end();
        }
    }
}
