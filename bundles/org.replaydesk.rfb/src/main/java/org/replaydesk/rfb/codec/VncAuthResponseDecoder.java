package org.replaydesk.rfb.codec;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.replaydesk.rfb.VncAuthResponse;
import org.replaydesk.rfb.internal.Wire;

/**
 * Server side, VNC authentication: decodes the client's 16-byte {@link VncAuthResponse}; check it with
 * {@link org.replaydesk.rfb.VncAuthentication#verify}.
 */
public final class VncAuthResponseDecoder extends AbstractRfbDecoder {

    /** Creates a decoder for one response. */
    public VncAuthResponseDecoder() {
        super(true);
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, VncAuthResponse.LENGTH);
        byte[] response = new byte[VncAuthResponse.LENGTH];
        in.readBytes(response);
        out.add(new VncAuthResponse(response));
    }
}
