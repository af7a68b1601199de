package org.replaydesk.rfb.codec;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_SECURITY;
import static org.replaydesk.rfb.RfbProtocolException.Reason.CONNECTION_FAILED;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.VeNCryptSubtype;
import org.replaydesk.rfb.VeNCryptSubtypes;
import org.replaydesk.rfb.internal.Wire;

/**
 * Client side, VeNCrypt 0.2: decodes the server's {@link VeNCryptSubtypes}. An empty list is the server ending the
 * connection (there is no reason string in VeNCrypt), reported as {@code CONNECTION_FAILED}.
 */
public final class VeNCryptSubtypesDecoder extends AbstractRfbDecoder {

    /** Creates a decoder for one list. */
    public VeNCryptSubtypesDecoder() {
        super(true);
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 1);
        int count = in.readUnsignedByte();
        if (count == 0) {
            throw new RfbProtocolException(CONNECTION_FAILED, "server offers no VeNCrypt sub-types");
        }
        Wire.need(in, 4L * count);
        List<Integer> subtypes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int subtype = in.readInt();
            if (subtype == VeNCryptSubtype.FAILURE) {
                throw new RfbProtocolException(BAD_SECURITY, "server offered VeNCrypt sub-type 0 (failure)");
            }
            subtypes.add(subtype);
        }
        out.add(new VeNCryptSubtypes(subtypes));
    }
}
