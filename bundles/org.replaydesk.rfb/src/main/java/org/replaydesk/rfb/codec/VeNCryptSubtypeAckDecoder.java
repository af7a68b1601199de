package org.replaydesk.rfb.codec;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_SECURITY;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.VeNCryptSubtypeAck;
import org.replaydesk.rfb.internal.Wire;

/**
 * Client side, VeNCrypt 0.2: decodes the server's {@link VeNCryptSubtypeAck}. Values other than 0 and 1 are
 * rejected rather than read as "accepted", because what follows (a TLS handshake) depends on it.
 */
public final class VeNCryptSubtypeAckDecoder extends AbstractRfbDecoder {

    /** Creates a decoder for one acknowledgement. */
    public VeNCryptSubtypeAckDecoder() {
        super(true);
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 1);
        int ack = in.readUnsignedByte();
        if (ack > 1) {
            throw new RfbProtocolException(BAD_SECURITY,
                    "VeNCrypt sub-type acknowledgement " + ack + " is neither 1 (accepted) nor 0 (refused)");
        }
        out.add(ack == 1 ? VeNCryptSubtypeAck.ACCEPTED : VeNCryptSubtypeAck.REFUSED);
    }
}
