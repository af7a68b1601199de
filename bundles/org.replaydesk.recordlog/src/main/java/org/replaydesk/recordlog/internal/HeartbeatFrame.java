package org.replaydesk.recordlog.internal;

/**
 * Server to client: how far the recorder is. On the wire an unknown icount is all ones.
 *
 * @param serverTimeMillis server clock, milliseconds since the epoch
 * @param logSize log bytes the server had sent when it sent this
 * @param icount recorder's instruction count, or -1 when unknown
 */
record HeartbeatFrame(long serverTimeMillis, long logSize, long icount) implements Frame {

    static final int PAYLOAD = 24;
    static final long UNKNOWN_ICOUNT = -1;

    @Override
    public byte type() {
        return TYPE_HEARTBEAT;
    }
}
