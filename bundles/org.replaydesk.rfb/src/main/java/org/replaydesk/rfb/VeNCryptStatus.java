package org.replaydesk.rfb;

/**
 * The server's answer to the client's {@link VeNCryptVersion}: one U8, 0 when the server speaks that version,
 * non-zero (typically 255) when it does not; the server then closes the connection.
 *
 * @param status 0..255
 */
public record VeNCryptStatus(int status) implements RfbMessage {

    /** Status of an accepted version. */
    public static final int OK = 0;
    /** Status servers send for a version they do not speak. */
    public static final int FAILED = 255;
    /** The accepting message. */
    public static final VeNCryptStatus ACCEPTED = new VeNCryptStatus(OK);
    /** The usual refusing message. */
    public static final VeNCryptStatus REFUSED = new VeNCryptStatus(FAILED);

    /** Rejects values that do not fit a U8. */
    public VeNCryptStatus {
        if (status < 0 || status > 255) {
            throw new IllegalArgumentException("VeNCrypt status " + status + " is not a U8");
        }
    }

    /** @return whether the server accepted the version */
    public boolean ok() {
        return status == OK;
    }
}
