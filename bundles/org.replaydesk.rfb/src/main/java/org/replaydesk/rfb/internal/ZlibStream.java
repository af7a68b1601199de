package org.replaydesk.rfb.internal;

import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * One connection's persistent zlib stream on the encoding side, with an output buffer that is reused from rectangle
 * to rectangle: at 25 frames per second a fresh array per rectangle is megabytes of garbage a second.
 *
 * <p>Each {@link #compress} ends with a sync flush, so the peer can decompress the rectangle without waiting for more
 * while the stream (and its dictionary) continues into the next one. The output is the same as
 * {@link Wire#deflate}'s for the same input. Not thread-safe; {@link #end()} frees zlib's native memory.
 */
public final class ZlibStream {

    private final Deflater deflater;
    private int level;
    private byte[] output = new byte[4096];

    /**
     * @param level zlib level 0..9
     */
    public ZlibStream(int level) {
        this.deflater = new Deflater(level);
        this.level = level;
    }

    /**
     * @param level zlib level 0..9 from the next {@link #compress} on; the stream continues
     */
    public void setLevel(int level) {
        if (level != this.level) {
            deflater.setLevel(level);
            this.level = level;
        }
    }

    /** @return the current zlib level */
    public int level() {
        return level;
    }

    /**
     * Compresses {@code input[offset, offset + length)} with a sync flush.
     *
     * @param input uncompressed bytes (not kept)
     * @param offset first byte
     * @param length number of bytes
     * @return the number of compressed bytes, now at the start of {@link #output()}
     */
    public int compress(byte[] input, int offset, int length) {
        deflater.setInput(input, offset, length);
        // Incompressible data grows by about 5 bytes per 16 KiB stored block, plus the flush marker.
        int needed = length + length / 1000 + 64;
        if (output.length < needed) {
            output = new byte[Math.max(needed, output.length * 2)];
        }
        int written = 0;
        int idle = 0;
        while (true) {
            int n = deflater.deflate(output, written, output.length - written, Deflater.SYNC_FLUSH);
            written += n;
            if (written == output.length) {
                output = Arrays.copyOf(output, output.length * 2);
            } else if (deflater.needsInput()) {
                return written; // all input consumed and flushed
            } else if (n == 0 && ++idle > 2) {
                throw new IllegalStateException("zlib made no progress with " + length + " bytes of input");
            }
            // Otherwise the call only applied a level change (the JDK's Deflater does that in a deflate() that
            // outputs nothing and leaves the input): go on, or the rectangle would go out empty.
        }
    }

    /** @return the buffer holding the last {@link #compress} result (valid until the next call) */
    public byte[] output() {
        return output;
    }

    /** Frees zlib's native memory; the stream cannot be used afterwards. */
    public void end() {
        deflater.end();
    }
}
