package org.replaydesk.rfb;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * VNC authentication: the server's 16 random bytes.
 *
 * @param challenge the 16 bytes (copied in and out, so the record stays immutable)
 */
public record VncAuthChallenge(byte[] challenge) implements RfbMessage {

    /** Length of the challenge. */
    public static final int LENGTH = 16;

    /** Checks the length and takes a private copy. */
    public VncAuthChallenge {
        if (challenge.length != LENGTH) {
            throw new IllegalArgumentException("VNC challenge must be 16 bytes, not " + challenge.length);
        }
        challenge = challenge.clone();
    }

    @Override
    public byte[] challenge() {
        return challenge.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VncAuthChallenge other && Arrays.equals(challenge, other.challenge);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(challenge);
    }

    @Override
    public String toString() {
        return "VncAuthChallenge[" + HexFormat.of().formatHex(challenge) + "]";
    }
}
