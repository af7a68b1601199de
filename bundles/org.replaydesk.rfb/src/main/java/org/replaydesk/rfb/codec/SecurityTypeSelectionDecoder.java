package org.replaydesk.rfb.codec;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_SECURITY;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.SecurityTypeSelection;
import org.replaydesk.rfb.SecurityTypes;
import org.replaydesk.rfb.internal.Wire;

/**
 * Server side, security phase (3.7+): decodes the client's {@link SecurityTypeSelection} and rejects a type the
 * server did not offer, so the application never runs an unoffered (possibly weaker) authentication.
 */
public final class SecurityTypeSelectionDecoder extends AbstractRfbDecoder {

    private final SecurityTypes offered;

    /**
     * @param offered the list the server sent
     */
    public SecurityTypeSelectionDecoder(SecurityTypes offered) {
        super(true);
        this.offered = offered;
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 1);
        int type = in.readUnsignedByte();
        if (!offered.types().contains(type)) {
            throw new RfbProtocolException(BAD_SECURITY,
                    "client chose security type " + type + ", which was not offered (offered: " + offered.types()
                            + ")");
        }
        out.add(new SecurityTypeSelection(type));
    }
}
