package org.replaydesk.rfb;

/**
 * SecurityResult: U32 status (0 OK, 1 failed, 2 failed: too many attempts), followed in RFB 3.8 by a U32 length
 * and a reason string when it failed.
 *
 * @param status 0 for success
 * @param reason failure reason (3.8 only); {@code null} when none is on the wire (success, or 3.3/3.7)
 */
public record SecurityResult(int status, String reason) implements RfbMessage {

    /** Status of a successful handshake. */
    public static final int OK = 0;
    /** Status of a failed handshake. */
    public static final int FAILED = 1;
    /** Status some servers send after too many failed attempts (rfbproto). */
    public static final int TOO_MANY_ATTEMPTS = 2;
    /** The success message. */
    public static final SecurityResult SUCCESS = new SecurityResult(OK, null);

    /** A success never carries a reason on the wire, so refuse one rather than write bytes the peer won't read. */
    public SecurityResult {
        if (status == OK && reason != null) {
            throw new IllegalArgumentException("a successful SecurityResult has no reason");
        }
    }

    /**
     * @param reason text shown to the user (RFB 3.8), or {@code null} for 3.3/3.7
     * @return a FAILED result
     */
    public static SecurityResult failed(String reason) {
        return new SecurityResult(FAILED, reason);
    }

    /** @return whether authentication succeeded */
    public boolean ok() {
        return status == OK;
    }
}
