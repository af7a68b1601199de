package org.replaydesk.rfb.codec;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.internal.Wire;

/**
 * First phase on both sides: decodes the peer's 12-byte {@link ProtocolVersion}. Garbage (an HTTP request, a TLS
 * hello) fails with {@code BAD_PROTOCOL_VERSION} showing the bytes received.
 */
public final class ProtocolVersionDecoder extends AbstractRfbDecoder {

    /** Creates a decoder for one ProtocolVersion message. */
    public ProtocolVersionDecoder() {
        super(true);
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, ProtocolVersion.WIRE_LENGTH);
        out.add(ProtocolVersion.read(in));
    }
}
