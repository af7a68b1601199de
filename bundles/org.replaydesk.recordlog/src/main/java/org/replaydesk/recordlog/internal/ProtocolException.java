package org.replaydesk.recordlog.internal;

import io.netty.handler.codec.DecoderException;

/** The peer sent bytes that break the record-log protocol; the message says which and where. */
final class ProtocolException extends DecoderException {

    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }
}
