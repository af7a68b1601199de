package org.replaydesk.pager.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** The server's "compress only when it saves 1/8" rule and the round trip through the client's bounded inflate. */
class ChunkCompressionTest {

    /** 4096 bytes: {@code zeros} zero bytes, then random (incompressible) ones. */
    private static byte[] partlyZero(int zeros) {
        byte[] data = new byte[4096];
        byte[] noise = new byte[data.length - zeros];
        new Random(7).nextBytes(noise);
        System.arraycopy(noise, 0, data, zeros, noise.length);
        return data;
    }

    @Test
    void theThresholdIsSevenEighths() {
        assertEquals(57344, ChunkCompression.worthwhile(65536));
        assertEquals(3584, ChunkCompression.worthwhile(4096));
        assertEquals(7, ChunkCompression.worthwhile(8));
    }

    @Test
    void aChunkThatCompressesWellRoundTrips() throws DataFormatException {
        Deflater deflater = ChunkCompression.newDeflater();
        Inflater inflater = ChunkCompression.newInflater();
        try {
            byte[] data = partlyZero(3000);
            byte[] deflated = ChunkCompression.compress(deflater, data);
            assertNotNull(deflated);
            assertTrue(deflated.length < 1300, "1096 random bytes and 3000 zeros: " + deflated.length);
            assertArrayEquals(data, ChunkCompression.inflate(inflater, deflated, data.length));
            // Both are reset per chunk: a second, different chunk on the same pair.
            byte[] other = "abc".repeat(2000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            assertArrayEquals(other, ChunkCompression.inflate(inflater, ChunkCompression.compress(deflater, other),
                    other.length));
        } finally {
            deflater.end();
            inflater.end();
        }
    }

    @Test
    void aChunkThatSavesLessThanAnEighthIsNotCompressed() {
        Deflater deflater = ChunkCompression.newDeflater();
        try {
            // 400 zeros save less than 512 bytes (1/8 of 4096): sent plain.
            assertNull(ChunkCompression.compress(deflater, partlyZero(400)));
            // 700 zeros save more: sent deflated, within the threshold.
            byte[] deflated = ChunkCompression.compress(deflater, partlyZero(700));
            assertNotNull(deflated);
            assertTrue(deflated.length <= 3584, deflated.length + " bytes");
            // Random bytes never pay.
            byte[] random = new byte[65536];
            new Random(8).nextBytes(random);
            assertNull(ChunkCompression.compress(deflater, random));
        } finally {
            deflater.end();
        }
    }

    @Test
    void theLevelIsBestSpeedAndTheStreamIsRawDeflate() throws DataFormatException {
        assertEquals(Deflater.BEST_SPEED, ChunkCompression.LEVEL);
        Deflater deflater = ChunkCompression.newDeflater();
        try {
            byte[] deflated = ChunkCompression.compress(deflater, new byte[65536]);
            // A zlib stream would start with 0x78; raw deflate starts with the block header.
            assertTrue((deflated[0] & 0xff) != 0x78);
            Inflater raw = new Inflater(true);
            raw.setInput(deflated);
            byte[] out = new byte[65536];
            assertEquals(65536, raw.inflate(out));
            assertTrue(raw.finished());
            raw.end();
        } finally {
            deflater.end();
        }
    }
}
