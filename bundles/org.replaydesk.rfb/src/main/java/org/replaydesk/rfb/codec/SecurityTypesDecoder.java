package org.replaydesk.rfb.codec;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_SECURITY;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.replaydesk.rfb.ConnectionFailed;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.SecurityType;
import org.replaydesk.rfb.SecurityTypeAnnouncement;
import org.replaydesk.rfb.SecurityTypes;
import org.replaydesk.rfb.internal.Wire;

/**
 * Client side, security phase: decodes the server's {@link SecurityTypes} (3.7+) or {@link SecurityTypeAnnouncement}
 * (3.3), or a {@link ConnectionFailed} with the server's reason.
 */
public final class SecurityTypesDecoder extends AbstractRfbDecoder {

    /** Longest failure reason accepted; a reason is one sentence for a dialog box. */
    public static final int MAX_REASON_LENGTH = 65536;

    private final ProtocolVersion version;

    /**
     * @param version the negotiated version (decides between the 3.3 and the 3.7+ form)
     */
    public SecurityTypesDecoder(ProtocolVersion version) {
        super(true);
        this.version = version.effective();
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        if (version.hasSecurityTypeList()) {
            Wire.need(in, 1);
            int count = in.readUnsignedByte();
            if (count == 0) {
                out.add(new ConnectionFailed(readReason(in), false));
                return;
            }
            Wire.need(in, count);
            List<Integer> types = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int type = in.readUnsignedByte();
                if (type == SecurityType.INVALID) {
                    throw new RfbProtocolException(BAD_SECURITY, "server offered security type 0 (invalid)");
                }
                types.add(type);
            }
            out.add(new SecurityTypes(types));
        } else {
            Wire.need(in, 4);
            long type = in.readUnsignedInt();
            if (type == SecurityType.INVALID) {
                out.add(new ConnectionFailed(readReason(in), true));
            } else if (type == SecurityType.NONE || type == SecurityType.VNC_AUTHENTICATION) {
                out.add(new SecurityTypeAnnouncement((int) type));
            } else {
                throw new RfbProtocolException(BAD_SECURITY,
                        "RFB 3.3 server chose security type " + type + "; 3.3 only knows 1 (None) and 2 (VNC)");
            }
        }
    }

    static String readReason(ByteBuf in) {
        return Wire.readString(in, MAX_REASON_LENGTH, "failure reason", StandardCharsets.UTF_8);
    }
}
