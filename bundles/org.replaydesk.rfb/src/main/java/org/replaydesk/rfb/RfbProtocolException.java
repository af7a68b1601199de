package org.replaydesk.rfb;

import io.netty.handler.codec.DecoderException;

/**
 * A peer sent (or the application tried to send) something the RFB protocol does not allow.
 *
 * <p>Extends Netty's {@link DecoderException} so that a decoder can throw it as is: Netty passes a
 * {@code DecoderException} to {@code exceptionCaught} without wrapping it, and the application can close the
 * connection with {@link #reason()} (or, for a 3.8 handshake, send the message as the SecurityResult reason).
 * The message always names the offending field and value, because it ends up in operators' logs.
 */
public class RfbProtocolException extends DecoderException {
    private static final long serialVersionUID = 1L;

    /** Why the input was rejected; lets callers react without parsing the message text. */
    public enum Reason {
        /** The ProtocolVersion line is not {@code "RFB xxx.yyy\n"} or names an unsupported version. */
        BAD_PROTOCOL_VERSION,
        /** A security type, security result or authentication step is invalid. */
        BAD_SECURITY,
        /** The peer ended the handshake with a failure reason (security type 0 or an empty type list). */
        CONNECTION_FAILED,
        /** A pixel format field is out of range or the combination is invalid. */
        BAD_PIXEL_FORMAT,
        /** A length or count exceeds the configured or protocol limit. */
        LENGTH_TOO_LARGE,
        /** The message type byte is not one this decoder knows. */
        UNKNOWN_MESSAGE_TYPE,
        /** A rectangle lies (partly) outside the framebuffer or has an absurd size. */
        BAD_RECTANGLE,
        /** A rectangle uses an encoding this decoder does not support. */
        UNSUPPORTED_ENCODING,
        /** Encoded pixel data (hextile, ZRLE, Tight, zlib, JPEG) is corrupt. */
        BAD_ENCODED_DATA,
        /** A field of a message has a value the protocol forbids. */
        BAD_FIELD
    }

    private final Reason reason;

    /**
     * @param reason category of the failure
     * @param message what was wrong, naming the field and value
     */
    public RfbProtocolException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /**
     * @param reason category of the failure
     * @param message what was wrong, naming the field and value
     * @param cause underlying failure (for example a {@link java.util.zip.DataFormatException})
     */
    public RfbProtocolException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** @return category of the failure */
    public Reason reason() {
        return reason;
    }
}
