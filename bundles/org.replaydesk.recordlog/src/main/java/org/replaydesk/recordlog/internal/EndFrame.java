package org.replaydesk.recordlog.internal;

import java.util.Arrays;

/**
 * Server to client, last frame: the recorder finished the log at {@code finalSize}; {@code header} is the final
 * value of bytes 0-3, which QEMU writes only when it finishes.
 *
 * @param finalSize the log's length
 * @param header 4 bytes
 */
record EndFrame(long finalSize, byte[] header) implements Frame {

    static final int PAYLOAD = 12;

    @Override
    public byte type() {
        return TYPE_END;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EndFrame e && e.finalSize == finalSize && Arrays.equals(e.header, header);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(finalSize) * 31 + Arrays.hashCode(header);
    }

    @Override
    public String toString() {
        return "EndFrame[finalSize=" + finalSize + ", header=" + java.util.HexFormat.of().formatHex(header) + "]";
    }
}
