package org.replaydesk.rfb.codec;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.replaydesk.rfb.VeNCryptVersion;
import org.replaydesk.rfb.internal.Wire;

/**
 * Server side, VeNCrypt: decodes the client's chosen {@link VeNCryptVersion} as sent. Any two bytes are a valid
 * message here: the protocol has the server answer an unusable version (0.0, 0.1, or above what it offered) with a
 * failing {@link org.replaydesk.rfb.VeNCryptStatus}, so the decision belongs to the application, not to the decoder.
 */
public final class VeNCryptVersionChoiceDecoder extends AbstractRfbDecoder {

    /** Creates a decoder for one version. */
    public VeNCryptVersionChoiceDecoder() {
        super(true);
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 2);
        out.add(new VeNCryptVersion(in.readUnsignedByte(), in.readUnsignedByte()));
    }
}
