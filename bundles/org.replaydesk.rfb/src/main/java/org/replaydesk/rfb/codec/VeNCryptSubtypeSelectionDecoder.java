package org.replaydesk.rfb.codec;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_SECURITY;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.VeNCryptSubtype;
import org.replaydesk.rfb.VeNCryptSubtypeSelection;
import org.replaydesk.rfb.VeNCryptSubtypes;
import org.replaydesk.rfb.internal.Wire;

/**
 * Server side, VeNCrypt 0.2: decodes the client's {@link VeNCryptSubtypeSelection} and rejects 0 (the client gave up)
 * and any sub-type the server did not offer, so the application never runs an unoffered (possibly unencrypted)
 * authentication.
 */
public final class VeNCryptSubtypeSelectionDecoder extends AbstractRfbDecoder {

    private final VeNCryptSubtypes offered;

    /**
     * @param offered the list the server sent
     */
    public VeNCryptSubtypeSelectionDecoder(VeNCryptSubtypes offered) {
        super(true);
        this.offered = offered;
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 4);
        int subtype = in.readInt();
        if (subtype == VeNCryptSubtype.FAILURE) {
            throw new RfbProtocolException(BAD_SECURITY, "client can use none of the VeNCrypt sub-types offered "
                    + offered + " (it sent 0)");
        }
        if (!offered.subtypes().contains(subtype)) {
            throw new RfbProtocolException(BAD_SECURITY, "client chose VeNCrypt sub-type "
                    + VeNCryptSubtype.name(subtype) + ", which was not offered (offered: " + offered + ")");
        }
        out.add(new VeNCryptSubtypeSelection(subtype));
    }
}
