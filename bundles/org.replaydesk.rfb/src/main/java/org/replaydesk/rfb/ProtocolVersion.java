package org.replaydesk.rfb;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_PROTOCOL_VERSION;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The ProtocolVersion handshake message, exactly 12 bytes: {@code "RFB 003.008\n"}.
 *
 * @param major major version (3 for every version in use)
 * @param minor minor version as sent; {@link #effective()} maps it onto 3.3, 3.7 or 3.8
 */
public record ProtocolVersion(int major, int minor) implements RfbMessage {

    /** Length of the message on the wire. */
    public static final int WIRE_LENGTH = 12;
    /** RFB 3.3: server-chosen security type, no failure reasons. */
    public static final ProtocolVersion V3_3 = new ProtocolVersion(3, 3);
    /** RFB 3.7: security type list, no SecurityResult after security type None. */
    public static final ProtocolVersion V3_7 = new ProtocolVersion(3, 7);
    /** RFB 3.8: SecurityResult always sent, with a reason string on failure. */
    public static final ProtocolVersion V3_8 = new ProtocolVersion(3, 8);

    /** Rejects numbers that do not fit the three-digit fields. */
    public ProtocolVersion {
        if (major < 0 || major > 999 || minor < 0 || minor > 999) {
            throw new IllegalArgumentException("protocol version " + major + "." + minor + " does not fit 000..999");
        }
    }

    /**
     * Parses the 12 bytes of a ProtocolVersion message.
     *
     * @param in buffer with at least 12 readable bytes; they are consumed
     * @return the version as sent
     * @throws RfbProtocolException if the bytes are not {@code "RFB ddd.ddd\n"} or the major version is not 3
     */
    public static ProtocolVersion read(ByteBuf in) {
        byte[] b = new byte[WIRE_LENGTH];
        in.readBytes(b);
        boolean wellFormed = b[0] == 'R' && b[1] == 'F' && b[2] == 'B' && b[3] == ' ' && b[7] == '.' && b[11] == '\n';
        for (int i : new int[] {4, 5, 6, 8, 9, 10}) {
            wellFormed &= b[i] >= '0' && b[i] <= '9';
        }
        if (!wellFormed) {
            throw new RfbProtocolException(BAD_PROTOCOL_VERSION,
                    "not an RFB ProtocolVersion line (expected \"RFB 003.008\\n\"): \"" + printable(b) + "\"");
        }
        int major = (b[4] - '0') * 100 + (b[5] - '0') * 10 + (b[6] - '0');
        int minor = (b[8] - '0') * 100 + (b[9] - '0') * 10 + (b[10] - '0');
        if (major != 3) {
            throw new RfbProtocolException(BAD_PROTOCOL_VERSION,
                    "unsupported RFB major version " + major + " in \"" + printable(b) + "\" (only 3.x exists)");
        }
        return new ProtocolVersion(major, minor);
    }

    private static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte value : bytes) {
            int c = value & 0xFF;
            if (c == '\n') {
                sb.append("\\n");
            } else if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    /**
     * Maps the version onto one this library speaks. RFC 6143 says unknown minors are 3.3; minors above 8 (Apple's
     * 3.889) are treated as 3.8 because they are 3.8 with extra security types.
     *
     * @return {@link #V3_3}, {@link #V3_7} or {@link #V3_8}
     */
    public ProtocolVersion effective() {
        if (minor >= 8) {
            return V3_8;
        }
        return minor == 7 ? V3_7 : V3_3;
    }

    /**
     * @param other another version
     * @return the lower of the two effective versions, i.e. what a server speaks after the client's reply
     */
    public ProtocolVersion min(ProtocolVersion other) {
        ProtocolVersion a = effective();
        ProtocolVersion b = other.effective();
        return a.minor <= b.minor ? a : b;
    }

    /** @return whether the version is at least 3.7 (security type list) */
    public boolean hasSecurityTypeList() {
        return effective().minor >= 7;
    }

    /** @return whether the version is 3.8 (SecurityResult always sent, with a failure reason) */
    public boolean isV38() {
        return effective().minor >= 8;
    }

    /** @return the 12-byte wire form, e.g. {@code "RFB 003.008\n"} */
    public String wireString() {
        return String.format("RFB %03d.%03d\n", major, minor);
    }

    /** @param out destination of the 12 bytes */
    public void write(ByteBuf out) {
        out.writeCharSequence(wireString(), StandardCharsets.US_ASCII);
    }
}
