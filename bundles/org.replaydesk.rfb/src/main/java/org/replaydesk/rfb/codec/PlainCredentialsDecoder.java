package org.replaydesk.rfb.codec;

import static org.replaydesk.rfb.RfbProtocolException.Reason.LENGTH_TOO_LARGE;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.replaydesk.rfb.PlainCredentials;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.internal.Wire;

/**
 * Server side, VeNCrypt Plain authentication: decodes the client's {@link PlainCredentials}. Both lengths are checked
 * against the limit as soon as the 8 length bytes are in, before waiting for or allocating the strings, so a client
 * announcing 4 GiB neither makes the server buffer it nor keeps the connection waiting.
 */
public final class PlainCredentialsDecoder extends AbstractRfbDecoder {

    /** Default limit per field; real user names and passwords are far shorter. */
    public static final int DEFAULT_MAX_LENGTH = 1024;

    private final int maxLength;

    /** Creates a decoder with {@link #DEFAULT_MAX_LENGTH}. */
    public PlainCredentialsDecoder() {
        this(DEFAULT_MAX_LENGTH);
    }

    /**
     * @param maxLength largest username or password length accepted, in bytes
     */
    public PlainCredentialsDecoder(int maxLength) {
        super(true);
        this.maxLength = maxLength;
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 8);
        long usernameLength = in.readUnsignedInt();
        long passwordLength = in.readUnsignedInt();
        checkLength("username", usernameLength);
        checkLength("password", passwordLength);
        Wire.need(in, usernameLength + passwordLength);
        String username = in.readCharSequence((int) usernameLength, StandardCharsets.UTF_8).toString();
        String password = in.readCharSequence((int) passwordLength, StandardCharsets.UTF_8).toString();
        out.add(new PlainCredentials(username, password));
    }

    private void checkLength(String what, long length) {
        if (length > maxLength) {
            throw new RfbProtocolException(LENGTH_TOO_LARGE,
                    "Plain " + what + " length " + length + " exceeds the limit of " + maxLength + " bytes");
        }
    }
}
