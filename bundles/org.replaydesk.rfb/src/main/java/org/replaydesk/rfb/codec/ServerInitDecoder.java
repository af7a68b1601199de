package org.replaydesk.rfb.codec;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.ServerInit;
import org.replaydesk.rfb.internal.Wire;

/**
 * Client side, initialisation: decodes {@link ServerInit}. The server's pixel format is validated, since the client
 * will decode pixels in it unless it sends SetPixelFormat.
 */
public final class ServerInitDecoder extends AbstractRfbDecoder {

    /** Longest desktop name accepted. */
    public static final int MAX_NAME_LENGTH = 65536;

    /** Creates a decoder for one ServerInit. */
    public ServerInitDecoder() {
        super(true);
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 4 + PixelFormat.WIRE_LENGTH);
        int width = in.readUnsignedShort();
        int height = in.readUnsignedShort();
        PixelFormat pixelFormat = PixelFormat.read(in).validate();
        String name = Wire.readString(in, MAX_NAME_LENGTH, "desktop name", StandardCharsets.UTF_8);
        out.add(new ServerInit(width, height, pixelFormat, name));
    }
}
