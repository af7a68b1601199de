package org.replaydesk.pager.internal;

import io.netty.handler.codec.DecoderException;

/** Bytes that break the chunk protocol; the message names the frame and what is wrong with it. */
final class PagerProtocolException extends DecoderException {
    private static final long serialVersionUID = 1L;

    PagerProtocolException(String message) {
        super(message);
    }
}
