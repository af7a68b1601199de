package org.replaydesk.recordlog.internal;

/**
 * One message of the record-log protocol. On the wire every frame is {@code type u8, payload length u32 (big
 * endian), payload}; the README spells out each payload byte by byte.
 */
sealed interface Frame permits HelloFrame, DataFrame, HeartbeatFrame, EndFrame, ErrorFrame {

    /** The only protocol version so far. */
    int VERSION = 1;

    /** Bytes before the payload: type and length. */
    int HEADER_BYTES = 5;

    /** The largest DATA payload a server sends; bounds a client's memory per frame. */
    int MAX_DATA_BYTES = 65536;

    byte TYPE_HELLO = 0x01;
    byte TYPE_DATA = 0x02;
    byte TYPE_HEARTBEAT = 0x03;
    byte TYPE_END = 0x04;
    byte TYPE_ERROR = 0x05;

    /** @return the type byte */
    byte type();
}
