package org.replaydesk.rfb.codec;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.replaydesk.rfb.ClientInit;
import org.replaydesk.rfb.internal.Wire;

/** Server side, initialisation: decodes the client's one-byte {@link ClientInit}. */
public final class ClientInitDecoder extends AbstractRfbDecoder {

    /** Creates a decoder for one ClientInit. */
    public ClientInitDecoder() {
        super(true);
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 1);
        out.add(new ClientInit(in.readUnsignedByte() != 0));
    }
}
