package org.replaydesk.pager;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An image on a chunk server, read through the local {@link ChunkCache}: a read fetches the chunks the cache lacks
 * (together with a few following ones, read-ahead) in batched requests, checks every chunk's hash (a mismatch is
 * fetched once more, then the read fails naming the chunk) and keeps them in the cache. Thread-safe; reads are
 * serialised on one connection.
 */
@ProviderType
public interface RemoteImage extends AutoCloseable {

    /** @return the image's manifest, fetched when the image was opened */
    Manifest manifest();

    /**
     * Reads bytes of the image.
     *
     * @param offset first byte
     * @param buffer where the bytes go
     * @param bufferOffset first position in buffer
     * @param length bytes to read; offset + length must not pass the image's end
     * @throws org.replaydesk.api.ReplayDeskException when a chunk cannot be fetched or keeps failing its hash check,
     *     or the range is outside the image
     */
    void read(long offset, byte[] buffer, int bufferOffset, int length);

    /**
     * @param offset first byte
     * @param length bytes to read
     * @return the bytes
     */
    default byte[] read(long offset, int length) {
        byte[] out = new byte[length];
        read(offset, out, 0, length);
        return out;
    }

    /** @return chunks this image fetched from the server (read-ahead included) */
    long chunksFetched();

    /**
     * @return chunk bytes this image fetched from the server, uncompressed: the chunks' own sizes (what the cache
     *     took in); not what the network carried, see {@link #wireBytesFetched()}
     */
    long bytesFetched();

    /**
     * @return bytes the fetched chunks took on the network: their frames as received, compressed chunks at their
     *     compressed size (protocol version 2), plus a few bytes of framing per chunk; this is the chunk traffic
     * @since 1.1
     */
    long wireBytesFetched();

    /** Closes the connection to the server; the cache stays. */
    @Override
    void close();
}
