package org.replaydesk.rfb.codec;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.SecurityResult;
import org.replaydesk.rfb.internal.Wire;

/**
 * Client side, end of security: decodes the {@link SecurityResult}, with the failure reason that only RFB 3.8 sends.
 * (A 3.3 or 3.7 server sends no SecurityResult at all after security type None; the application then skips this
 * phase.)
 */
public final class SecurityResultDecoder extends AbstractRfbDecoder {

    private final ProtocolVersion version;

    /**
     * @param version the negotiated version
     */
    public SecurityResultDecoder(ProtocolVersion version) {
        super(true);
        this.version = version.effective();
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 4);
        long status = in.readUnsignedInt();
        if (status == SecurityResult.OK) {
            out.add(SecurityResult.SUCCESS);
            return;
        }
        String reason = version.isV38() ? SecurityTypesDecoder.readReason(in) : null;
        out.add(new SecurityResult((int) status, reason));
    }
}
