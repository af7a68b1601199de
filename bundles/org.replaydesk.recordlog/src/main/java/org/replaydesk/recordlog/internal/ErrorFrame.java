package org.replaydesk.recordlog.internal;

/**
 * Server to client, last frame: why the server refuses or stops the stream.
 *
 * @param code what kind of failure
 * @param reason text for the person reading the client's error (at most {@link #MAX_REASON_BYTES} UTF-8 bytes)
 */
record ErrorFrame(ErrorCode code, String reason) implements Frame {

    static final int MAX_REASON_BYTES = 1024;
    static final int MIN_PAYLOAD = 3;
    static final int MAX_PAYLOAD = MIN_PAYLOAD + MAX_REASON_BYTES;

    @Override
    public byte type() {
        return TYPE_ERROR;
    }
}
