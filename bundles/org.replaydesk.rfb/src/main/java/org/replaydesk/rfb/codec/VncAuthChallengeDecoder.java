package org.replaydesk.rfb.codec;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.replaydesk.rfb.VncAuthChallenge;
import org.replaydesk.rfb.internal.Wire;

/** Client side, VNC authentication: decodes the server's 16-byte {@link VncAuthChallenge}. */
public final class VncAuthChallengeDecoder extends AbstractRfbDecoder {

    /** Creates a decoder for one challenge. */
    public VncAuthChallengeDecoder() {
        super(true);
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, VncAuthChallenge.LENGTH);
        byte[] challenge = new byte[VncAuthChallenge.LENGTH];
        in.readBytes(challenge);
        out.add(new VncAuthChallenge(challenge));
    }
}
