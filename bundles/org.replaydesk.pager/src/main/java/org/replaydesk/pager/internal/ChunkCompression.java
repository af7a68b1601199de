package org.replaydesk.pager.internal;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.replaydesk.pager.Manifest;

/**
 * Raw deflate for {@link PagerMessage.CompressedChunk}: the server's "compress only when it pays" and the client's
 * bounded inflate. Deflaters and inflaters are passed in so each connection reuses its own (they hold native memory,
 * and are not thread-safe).
 */
final class ChunkCompression {

    /**
     * Deflate level of the chunk server. BEST_SPEED: on snapshot images it gives nearly the size of the default level
     * at a fraction of the CPU time (docs/benchmarks.md, "Chunk compression").
     */
    static final int LEVEL = Deflater.BEST_SPEED;

    private ChunkCompression() {
    }

    /** @return a deflater for {@link #compress}: raw deflate (no zlib wrapper) at {@link #LEVEL} */
    static Deflater newDeflater() {
        return new Deflater(LEVEL, true);
    }

    /** @return an inflater for {@link #inflate}: raw deflate */
    static Inflater newInflater() {
        return new Inflater(true);
    }

    /**
     * @param data the chunk
     * @return the largest deflate stream worth sending for it: one that saves at least 1/8 of the chunk
     */
    static int worthwhile(int data) {
        return data - data / 8;
    }

    /**
     * Compresses a chunk if that saves at least 1/8 of its bytes. The output buffer has exactly the size that still
     * pays, so an incompressible chunk costs one failed deflate into it and no larger allocation.
     *
     * @param deflater a raw deflater; reset here before use
     * @param data the chunk
     * @return the deflate stream, or null when compression does not save enough
     */
    static byte[] compress(Deflater deflater, byte[] data) {
        deflater.reset();
        deflater.setInput(data);
        deflater.finish();
        byte[] out = new byte[worthwhile(data.length)];
        int length = 0;
        while (length < out.length && !deflater.finished()) {
            length += deflater.deflate(out, length, out.length - length);
        }
        return deflater.finished() ? Arrays.copyOf(out, length) : null;
    }

    /**
     * Inflates a chunk whose sender declared its length; zip-bomb safe: the declared length is checked against the
     * protocol's largest chunk before anything is allocated, and the inflater never writes more than that.
     *
     * @param inflater a raw inflater; reset here before use
     * @param deflated the deflate stream
     * @param length the declared uncompressed length
     * @return exactly {@code length} bytes
     * @throws DataFormatException naming what is wrong: the declared length is too large, the stream is corrupt,
     *     truncated, inflates to more or fewer bytes than declared, or has bytes after its end
     */
    static byte[] inflate(Inflater inflater, byte[] deflated, long length) throws DataFormatException {
        if (length > Manifest.MAX_CHUNK_SIZE) {
            throw new DataFormatException("declares " + length + " uncompressed bytes, at most "
                    + Manifest.MAX_CHUNK_SIZE + " allowed");
        }
        inflater.reset();
        inflater.setInput(deflated);
        byte[] out = new byte[(int) length];
        int got = 0;
        boolean longer = false;
        try {
            while (got < out.length) {
                int n = inflater.inflate(out, got, out.length - got);
                if (n == 0) {
                    // Raw deflate has no preset dictionary, so 0 means: stream ended, or input ran out.
                    break;
                }
                got += n;
            }
            if (got == out.length && !inflater.finished()) {
                // Full, but the stream goes on: one byte more tells "longer than declared" from "truncated".
                longer = inflater.inflate(new byte[1]) > 0;
            }
        } catch (DataFormatException e) {
            throw new DataFormatException("has corrupt deflate data (" + e.getMessage() + ")");
        }
        if (longer) {
            throw new DataFormatException("inflates to more than the declared " + length + " bytes");
        }
        if (!inflater.finished()) {
            throw new DataFormatException("deflate data is truncated: it ends after " + got + " of the declared "
                    + length + " bytes without an end of stream");
        }
        if (got < out.length) {
            throw new DataFormatException("inflates to " + got + " bytes, not the declared " + length);
        }
        if (inflater.getRemaining() > 0) {
            throw new DataFormatException("has " + inflater.getRemaining() + " bytes after the end of its deflate "
                    + "stream");
        }
        return out;
    }
}
