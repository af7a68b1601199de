package org.replaydesk.rfb.codec;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.replaydesk.rfb.VeNCryptStatus;
import org.replaydesk.rfb.internal.Wire;

/** Client side, VeNCrypt: decodes the server's {@link VeNCryptStatus} byte for the chosen version. */
public final class VeNCryptStatusDecoder extends AbstractRfbDecoder {

    /** Creates a decoder for one status. */
    public VeNCryptStatusDecoder() {
        super(true);
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 1);
        out.add(new VeNCryptStatus(in.readUnsignedByte()));
    }
}
