package org.replaydesk.rfb;

/**
 * The server refused the connection during the security step: an empty security type list (3.7+) or security type 0
 * (3.3), both followed by a U32 length and a reason string.
 *
 * <p>A 3.3 server writes it after the U32 type 0, a 3.7+ server after the U8 count 0; {@link #legacy()} says which.
 *
 * @param reason text shown to the user
 * @param legacy whether this is the RFB 3.3 form (U32 type 0) rather than the 3.7+ form (U8 count 0)
 */
public record ConnectionFailed(String reason, boolean legacy) implements RfbMessage {
}
