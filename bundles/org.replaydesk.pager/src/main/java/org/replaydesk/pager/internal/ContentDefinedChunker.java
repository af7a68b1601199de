package org.replaydesk.pager.internal;

import java.util.Arrays;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.pager.Manifest;

/**
 * Cuts a byte stream into content-defined chunks with a gear rolling hash (FastCDC-style, with its two masks), so an
 * insertion or deletion in an image changes only the chunks around it: the cut points depend on the bytes near them,
 * not on their offsets. Snapshot vmstates need this: a page that turns from zero (1 byte in QEMU's migration stream)
 * to non-zero (4 KiB) shifts the rest of the stream, and no fixed-size chunk after it matches any more.
 *
 * <p>The hash after byte b is {@code h = (h << 1) + GEAR[b]}; its top bits depend on the last 64 bytes only. A chunk
 * is never shorter than {@code min} (the hash is not even tested before, only warmed up on the 64 bytes before min) nor
 * longer than {@code max}. Between min and {@code avg} a cut needs the top log2(avg)+1 bits of h zero, after avg
 * only the top log2(avg)-1 (normalised chunking): the lengths then cluster around avg.
 *
 * <p>The cut points are persistent (a store's chunks are named by their contents, and a changed cut point would
 * make every old chunk useless to new images), so {@link #NAME} identifies this exact algorithm and table: the table
 * comes from SplitMix64 with the fixed {@link #SEED}, and a golden test pins the cuts. Any change is a new name.
 * Thread-safe (stateless between calls).
 */
public final class ContentDefinedChunker {

    /** Name of this algorithm in format 2 manifests ({@link Manifest#chunking()}). */
    public static final String NAME = "gear-v1";
    /** Seed of the gear table: "RDgear01". Never change it (see the class comment). */
    static final long SEED = 0x5244676561723031L;
    /** Bytes hashed before {@code min} so the first tested hash already covers a full window. */
    static final int WINDOW = 64;
    /** Smallest accepted minimum: the warm-up window. */
    static final int SMALLEST_MIN = WINDOW;

    private static final long[] GEAR = gearTable(SEED);


    private final int min;
    private final int avg;
    private final int max;
    private final long strictMask;
    private final long looseMask;
    /** Whether an all-zero stretch never has a cut point (see {@link #cut}). */
    private final boolean zeroRunsCutAtLimit;
    /** Compared against to find all-zero stretches; as long as the longest chunk. */
    private final byte[] zeros;

    /**
     * @param min shortest chunk (except an image's last), at least 64
     * @param avg target average, a power of two, greater than min
     * @param max longest chunk, greater than avg, at most {@link Manifest#MAX_CHUNK_SIZE}
     * @throws ReplayDeskException (INVALID_ARGUMENT) naming the setting (chunk.min.size, chunk.average.size,
     *     chunk.max.size) that is wrong
     */
    public ContentDefinedChunker(int min, int avg, int max) {
        if (min < SMALLEST_MIN) {
            throw ReplayDeskException.invalid("chunk.min.size " + min + " must be at least " + SMALLEST_MIN);
        }
        if (avg <= min || Integer.bitCount(avg) != 1) {
            throw ReplayDeskException.invalid("chunk.average.size " + avg + " must be a power of two greater than "
                    + "chunk.min.size " + min);
        }
        if (max <= avg || max > Manifest.MAX_CHUNK_SIZE) {
            throw ReplayDeskException.invalid("chunk.max.size " + max + " must be greater than chunk.average.size "
                    + avg + " and at most " + Manifest.MAX_CHUNK_SIZE);
        }
        this.min = min;
        this.avg = avg;
        this.max = max;
        int bits = Integer.numberOfTrailingZeros(avg);
        this.strictMask = topBits(bits + 1);
        this.looseMask = topBits(Math.max(1, bits - 1));
        long zeroHash = 0;
        for (int i = 0; i < WINDOW; i++) {
            zeroHash = (zeroHash << 1) + GEAR[0];
        }
        this.zeroRunsCutAtLimit = (zeroHash & strictMask) != 0 && (zeroHash & looseMask) != 0;
        this.zeros = new byte[max];
    }

    private static long topBits(int count) {
        return -1L << (64 - count);
    }

    /** @return 256 pseudo-random 64-bit values from SplitMix64 (Steele, Lea, Flood 2014) seeded with {@code seed} */
    static long[] gearTable(long seed) {
        long[] table = new long[256];
        long state = seed;
        for (int i = 0; i < table.length; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            table[i] = z ^ (z >>> 31);
        }
        return table;
    }

    /** @return the shortest chunk length (an image's last chunk may be shorter) */
    public int minSize() {
        return min;
    }

    /** @return the target average chunk length */
    public int averageSize() {
        return avg;
    }

    /** @return the longest chunk length */
    public int maxSize() {
        return max;
    }

    /**
     * Finds where the chunk starting at {@code data[from]} ends.
     *
     * @param data bytes
     * @param from the chunk's first byte
     * @param available bytes from {@code from} on; at least {@link #maxSize()} unless they are the stream's last
     * @return the chunk's length, 1 to min(available, max) (0 only when available is 0)
     */
    public int cut(byte[] data, int from, int available) {
        int limit = Math.min(available, max);
        if (limit <= min) {
            return limit;
        }
        // A run of zeros hashes to one constant once the window is full; when that constant satisfies neither mask
        // (true of the gear-v1 table, pinned by a test) an all-zero stretch is cut at the limit. Checking for zeros is
        // vectorised and far cheaper than rolling the hash: a snapshot's memory image is mostly zeros.
        if (zeroRunsCutAtLimit && Arrays.mismatch(data, from, from + limit, zeros, 0, limit) < 0) {
            return limit;
        }
        long h = 0;
        int i = from + min - WINDOW;
        int minEnd = from + min;
        for (; i < minEnd; i++) {
            h = (h << 1) + GEAR[data[i] & 0xff];
        }
        int normalEnd = from + Math.min(limit, avg);
        for (; i < normalEnd; i++) {
            h = (h << 1) + GEAR[data[i] & 0xff];
            if ((h & strictMask) == 0) {
                return i + 1 - from;
            }
        }
        int end = from + limit;
        for (; i < end; i++) {
            h = (h << 1) + GEAR[data[i] & 0xff];
            if ((h & looseMask) == 0) {
                return i + 1 - from;
            }
        }
        return limit;
    }

    /** Whether all-zero stretches are cut at the limit without rolling the hash (tests). */
    boolean zeroRunsCutAtLimit() {
        return zeroRunsCutAtLimit;
    }

    @Override
    public String toString() {
        return NAME + " " + min + "/" + avg + "/" + max;
    }
}
