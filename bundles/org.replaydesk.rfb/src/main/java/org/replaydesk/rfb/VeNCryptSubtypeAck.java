package org.replaydesk.rfb;

/**
 * The server's acknowledgement of the chosen VeNCrypt sub-type: one U8, 1 when accepted, 0 when refused. For the TLS
 * sub-types the TLS handshake starts right after this byte, so it is the last byte sent in clear.
 *
 * @param accepted whether the server accepted the sub-type
 */
public record VeNCryptSubtypeAck(boolean accepted) implements RfbMessage {

    /** The accepting message. */
    public static final VeNCryptSubtypeAck ACCEPTED = new VeNCryptSubtypeAck(true);
    /** The refusing message. */
    public static final VeNCryptSubtypeAck REFUSED = new VeNCryptSubtypeAck(false);
}
