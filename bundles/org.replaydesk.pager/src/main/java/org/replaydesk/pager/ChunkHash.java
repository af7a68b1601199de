package org.replaydesk.pager;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.replaydesk.api.ReplayDeskException;

/**
 * The SHA-256 of a chunk's bytes, which is also its name in stores, caches and on the wire. Written as 64 lower-case
 * hex digits.
 */
public final class ChunkHash implements Comparable<ChunkHash> {

    /** Bytes in a hash. */
    public static final int LENGTH = 32;

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private ChunkHash(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * @param bytes the 32 hash bytes (copied)
     * @return the hash
     * @throws ReplayDeskException (INVALID_ARGUMENT) when there are not 32 bytes
     */
    public static ChunkHash ofBytes(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw ReplayDeskException.invalid("a chunk hash has " + LENGTH + " bytes, not " + bytes.length);
        }
        return new ChunkHash(bytes.clone());
    }

    /**
     * @param hex 64 hex digits, either case
     * @return the hash
     * @throws ReplayDeskException (INVALID_ARGUMENT) naming the text when it is not 64 hex digits
     */
    public static ChunkHash parse(String hex) {
        if (hex == null || hex.length() != 2 * LENGTH) {
            throw ReplayDeskException.invalid("chunk hash '" + hex + "' is not " + 2 * LENGTH + " hex digits");
        }
        try {
            return new ChunkHash(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw ReplayDeskException.invalid("chunk hash '" + hex + "' is not " + 2 * LENGTH + " hex digits");
        }
    }

    /**
     * @param data buffer
     * @param offset first byte of the chunk
     * @param length bytes in the chunk
     * @return the SHA-256 of those bytes
     */
    public static ChunkHash of(byte[] data, int offset, int length) {
        MessageDigest digest = sha256();
        digest.update(data, offset, length);
        return new ChunkHash(digest.digest());
    }

    /**
     * @param data the chunk
     * @return the SHA-256 of all of it
     */
    public static ChunkHash of(byte[] data) {
        return of(data, 0, data.length);
    }

    /** @return a fresh SHA-256 digest; every JDK has one, so its absence is a broken runtime. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    /** @return a copy of the 32 bytes */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** @return 64 lower-case hex digits */
    public String hex() {
        return HEX.formatHex(bytes);
    }

    /**
     * @param data bytes to check
     * @return whether they hash to this
     */
    public boolean matches(byte[] data) {
        return MessageDigest.isEqual(bytes, sha256().digest(data));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkHash && Arrays.equals(bytes, ((ChunkHash) o).bytes);
    }

    @Override
    public int hashCode() {
        // The bytes are already uniformly distributed; the first four suffice.
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    @Override
    public int compareTo(ChunkHash o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
