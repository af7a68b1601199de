package org.replaydesk.rfb;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Fence (message 248 in both directions, rfbproto): a synchronisation point with up to 64 bytes echoed back.
 *
 * @param flags bit 0 BlockBefore, 1 BlockAfter, 2 SyncNext, 31 Request
 * @param payload 0..64 bytes (copied in and out)
 */
public record Fence(int flags, byte[] payload) implements ClientMessage, ServerMessage {

    /** Flag: process after all previous messages. */
    public static final int BLOCK_BEFORE = 1;
    /** Flag: hold later messages until this one is processed. */
    public static final int BLOCK_AFTER = 1 << 1;
    /** Flag: the following message must be processed together with this one. */
    public static final int SYNC_NEXT = 1 << 2;
    /** Flag: this is a request the peer must answer. */
    public static final int REQUEST = 1 << 31;
    /** Maximum payload length. */
    public static final int MAX_PAYLOAD = 64;

    /** Checks the payload length and takes a private copy. */
    public Fence {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("fence payload of " + payload.length + " bytes exceeds 64");
        }
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fence other && flags == other.flags && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return flags * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Fence[flags=0x" + Integer.toHexString(flags) + ", payload=" + HexFormat.of().formatHex(payload) + "]";
    }
}
