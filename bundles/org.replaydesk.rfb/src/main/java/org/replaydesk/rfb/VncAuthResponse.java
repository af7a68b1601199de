package org.replaydesk.rfb;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * VNC authentication: the client's 16 bytes, the challenge DES-encrypted with the password
 * (see {@link VncAuthentication}).
 *
 * @param response the 16 bytes (copied in and out)
 */
public record VncAuthResponse(byte[] response) implements RfbMessage {

    /** Length of the response. */
    public static final int LENGTH = 16;

    /** Checks the length and takes a private copy. */
    public VncAuthResponse {
        if (response.length != LENGTH) {
            throw new IllegalArgumentException("VNC response must be 16 bytes, not " + response.length);
        }
        response = response.clone();
    }

    @Override
    public byte[] response() {
        return response.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VncAuthResponse other && Arrays.equals(response, other.response);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(response);
    }

    @Override
    public String toString() {
        // The response is a password-equivalent for that challenge: keep it out of logs.
        return "VncAuthResponse[16 bytes]";
    }
}
