package org.replaydesk.rfb.internal;

/**
 * Thrown inside a decoder when the buffer ends before the current unit (message or rectangle) is complete; the
 * decoder rewinds and waits for more bytes. A preallocated instance without a stack trace, because it is control
 * flow on every fragmented read, not an error.
 */
public final class NeedMoreInput extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The only instance. */
    public static final NeedMoreInput INSTANCE = new NeedMoreInput();

    private NeedMoreInput() {
        super("need more input", null, false, false);
    }
}
