package org.replaydesk.recordlog.internal;

/**
 * Server to client: log bytes at an offset. Frames of one connection are contiguous and ascending.
 *
 * @param offset log offset of {@code bytes[0]}
 * @param bytes 1 to {@link Frame#MAX_DATA_BYTES} bytes
 */
record DataFrame(long offset, byte[] bytes) implements Frame {

    @Override
    public byte type() {
        return TYPE_DATA;
    }

    @Override
    public String toString() {
        return "DataFrame[offset=" + offset + ", length=" + bytes.length + "]";
    }
}
