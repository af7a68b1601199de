package org.replaydesk.rfb.codec;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_SECURITY;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.VeNCryptVersion;
import org.replaydesk.rfb.internal.Wire;

/**
 * Client side, VeNCrypt: decodes the server's highest {@link VeNCryptVersion}. A server below 0.2 is rejected: 0.1
 * is obsolete (U8 sub-types, no acknowledgement) and this library does not speak it. A higher version is accepted,
 * because the client may answer with 0.2.
 */
public final class VeNCryptVersionDecoder extends AbstractRfbDecoder {

    /** Creates a decoder for one version. */
    public VeNCryptVersionDecoder() {
        super(true);
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 2);
        VeNCryptVersion version = new VeNCryptVersion(in.readUnsignedByte(), in.readUnsignedByte());
        if (!version.isAtLeast(VeNCryptVersion.V0_2)) {
            throw new RfbProtocolException(BAD_SECURITY, "server's highest VeNCrypt version is " + version.major()
                    + "." + version.minor() + "; 0.2 is needed (0.1 is obsolete)");
        }
        out.add(version);
    }
}
