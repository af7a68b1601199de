package org.replaydesk.rfb.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.replaydesk.rfb.Bell;
import org.replaydesk.rfb.ClientCutText;
import org.replaydesk.rfb.ClientInit;
import org.replaydesk.rfb.ClientMessage;
import org.replaydesk.rfb.ConnectionFailed;
import org.replaydesk.rfb.EnableContinuousUpdates;
import org.replaydesk.rfb.EndOfContinuousUpdates;
import org.replaydesk.rfb.ExtendedDesktopSizeRectangle.Screen;
import org.replaydesk.rfb.Fence;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.KeyEvent;
import org.replaydesk.rfb.PlainCredentials;
import org.replaydesk.rfb.PointerEvent;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.QemuExtendedKeyEvent;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.RfbMessage;
import org.replaydesk.rfb.SecurityResult;
import org.replaydesk.rfb.SecurityTypeAnnouncement;
import org.replaydesk.rfb.SecurityTypeSelection;
import org.replaydesk.rfb.SecurityTypes;
import org.replaydesk.rfb.ServerCutText;
import org.replaydesk.rfb.ServerInit;
import org.replaydesk.rfb.ServerMessage;
import org.replaydesk.rfb.SetColourMapEntries;
import org.replaydesk.rfb.SetDesktopSize;
import org.replaydesk.rfb.SetEncodings;
import org.replaydesk.rfb.SetPixelFormat;
import org.replaydesk.rfb.VeNCryptStatus;
import org.replaydesk.rfb.VeNCryptSubtypeAck;
import org.replaydesk.rfb.VeNCryptSubtypeSelection;
import org.replaydesk.rfb.VeNCryptSubtypes;
import org.replaydesk.rfb.VeNCryptVersion;
import org.replaydesk.rfb.VncAuthChallenge;
import org.replaydesk.rfb.VncAuthResponse;
import org.replaydesk.rfb.internal.Wire;

/**
 * Encodes every {@link RfbMessage} whose bytes do not depend on connection state: all handshake messages, all client
 * messages, and the server messages other than {@link FramebufferUpdate} (which needs the client's pixel format and
 * zlib streams, see {@link FramebufferUpdateEncoder}; this encoder lets it pass). Stateless, so one instance serves
 * every channel of both sides.
 */
@Sharable
public final class RfbMessageEncoder extends MessageToByteEncoder<RfbMessage> {

    /** The shared instance. */
    public static final RfbMessageEncoder INSTANCE = new RfbMessageEncoder();

    private RfbMessageEncoder() {
        super(RfbMessage.class);
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) throws Exception {
        return msg instanceof RfbMessage && !(msg instanceof FramebufferUpdate);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RfbMessage msg, ByteBuf out) {
        write(msg, out);
    }

    /**
     * Writes a message without a pipeline (tests, recording tools).
     *
     * @param msg any message except {@link FramebufferUpdate}
     * @param out destination
     */
    public static void write(RfbMessage msg, ByteBuf out) {
        if (msg instanceof ProtocolVersion m) {
            m.write(out);
        } else if (msg instanceof SecurityTypes m) {
            out.writeByte(m.types().size());
            m.types().forEach(out::writeByte);
        } else if (msg instanceof SecurityTypeAnnouncement m) {
            out.writeInt(m.type());
        } else if (msg instanceof ConnectionFailed m) {
            if (m.legacy()) {
                out.writeInt(0);
            } else {
                out.writeByte(0);
            }
            Wire.writeString(out, m.reason(), StandardCharsets.UTF_8);
        } else if (msg instanceof SecurityTypeSelection m) {
            out.writeByte(m.type());
        } else if (msg instanceof VncAuthChallenge m) {
            out.writeBytes(m.challenge());
        } else if (msg instanceof VncAuthResponse m) {
            out.writeBytes(m.response());
        } else if (msg instanceof SecurityResult m) {
            out.writeInt(m.status());
            if (m.reason() != null) {
                Wire.writeString(out, m.reason(), StandardCharsets.UTF_8);
            }
        } else if (msg instanceof VeNCryptVersion m) {
            out.writeByte(m.major());
            out.writeByte(m.minor());
        } else if (msg instanceof VeNCryptStatus m) {
            out.writeByte(m.status());
        } else if (msg instanceof VeNCryptSubtypes m) {
            out.writeByte(m.subtypes().size());
            m.subtypes().forEach(out::writeInt);
        } else if (msg instanceof VeNCryptSubtypeSelection m) {
            out.writeInt(m.subtype());
        } else if (msg instanceof VeNCryptSubtypeAck m) {
            out.writeByte(m.accepted() ? 1 : 0);
        } else if (msg instanceof PlainCredentials m) {
            byte[] username = m.username().getBytes(StandardCharsets.UTF_8);
            byte[] password = m.password().getBytes(StandardCharsets.UTF_8);
            out.writeInt(username.length);
            out.writeInt(password.length);
            out.writeBytes(username);
            out.writeBytes(password);
        } else if (msg instanceof ClientInit m) {
            out.writeByte(m.shared() ? 1 : 0);
        } else if (msg instanceof ServerInit m) {
            out.writeShort(m.width());
            out.writeShort(m.height());
            m.pixelFormat().write(out);
            Wire.writeString(out, m.name(), StandardCharsets.UTF_8);
        } else if (msg instanceof ClientMessage m) {
            writeClientMessage(m, out);
        } else if (msg instanceof ServerMessage m) {
            writeServerMessage(m, out);
        } else {
            throw new IllegalArgumentException("not an RFB message this encoder writes: " + msg);
        }
    }

    private static void writeClientMessage(ClientMessage msg, ByteBuf out) {
        if (msg instanceof SetPixelFormat m) {
            out.writeByte(ClientMessage.SET_PIXEL_FORMAT);
            out.writeZero(3);
            m.pixelFormat().write(out);
        } else if (msg instanceof SetEncodings m) {
            out.writeByte(ClientMessage.SET_ENCODINGS);
            out.writeZero(1);
            out.writeShort(m.encodings().size());
            m.encodings().forEach(out::writeInt);
        } else if (msg instanceof FramebufferUpdateRequest m) {
            out.writeByte(ClientMessage.FRAMEBUFFER_UPDATE_REQUEST);
            out.writeByte(m.incremental() ? 1 : 0);
            writeRect(out, m.rect());
        } else if (msg instanceof KeyEvent m) {
            out.writeByte(ClientMessage.KEY_EVENT);
            out.writeByte(m.down() ? 1 : 0);
            out.writeZero(2);
            out.writeInt(m.keysym());
        } else if (msg instanceof PointerEvent m) {
            out.writeByte(ClientMessage.POINTER_EVENT);
            out.writeByte(m.buttonMask());
            out.writeShort(m.x());
            out.writeShort(m.y());
        } else if (msg instanceof ClientCutText m) {
            out.writeByte(ClientMessage.CLIENT_CUT_TEXT);
            out.writeZero(3);
            Wire.writeString(out, m.text(), StandardCharsets.ISO_8859_1);
        } else if (msg instanceof EnableContinuousUpdates m) {
            out.writeByte(ClientMessage.ENABLE_CONTINUOUS_UPDATES);
            out.writeByte(m.enable() ? 1 : 0);
            writeRect(out, m.rect());
        } else if (msg instanceof Fence m) {
            writeFence(m, out);
        } else if (msg instanceof SetDesktopSize m) {
            out.writeByte(ClientMessage.SET_DESKTOP_SIZE);
            out.writeZero(1);
            out.writeShort(m.width());
            out.writeShort(m.height());
            out.writeByte(m.screens().size());
            out.writeZero(1);
            writeScreens(out, m.screens());
        } else if (msg instanceof QemuExtendedKeyEvent m) {
            out.writeByte(ClientMessage.QEMU);
            out.writeByte(ClientMessage.QEMU_EXTENDED_KEY_EVENT);
            out.writeShort(m.down() ? 1 : 0);
            out.writeInt(m.keysym());
            out.writeInt(m.keycode());
        } else {
            throw new IllegalArgumentException("unknown client message " + msg);
        }
    }

    private static void writeServerMessage(ServerMessage msg, ByteBuf out) {
        if (msg instanceof SetColourMapEntries m) {
            out.writeByte(ServerMessage.SET_COLOUR_MAP_ENTRIES);
            out.writeZero(1);
            out.writeShort(m.firstColour());
            out.writeShort(m.count());
            for (int c : m.colours16()) {
                out.writeShort(c);
            }
        } else if (msg instanceof Bell) {
            out.writeByte(ServerMessage.BELL);
        } else if (msg instanceof ServerCutText m) {
            out.writeByte(ServerMessage.SERVER_CUT_TEXT);
            out.writeZero(3);
            Wire.writeString(out, m.text(), StandardCharsets.ISO_8859_1);
        } else if (msg instanceof EndOfContinuousUpdates) {
            out.writeByte(ServerMessage.END_OF_CONTINUOUS_UPDATES);
        } else {
            throw new IllegalArgumentException("not a server message this encoder writes: " + msg);
        }
    }

    private static void writeFence(Fence m, ByteBuf out) {
        out.writeByte(ClientMessage.FENCE);
        out.writeZero(3);
        out.writeInt(m.flags());
        byte[] payload = m.payload();
        out.writeByte(payload.length);
        out.writeBytes(payload);
    }

    static void writeRect(ByteBuf out, Rect rect) {
        out.writeShort(rect.x());
        out.writeShort(rect.y());
        out.writeShort(rect.width());
        out.writeShort(rect.height());
    }

    static void writeScreens(ByteBuf out, List<Screen> screens) {
        for (Screen s : screens) {
            out.writeInt(s.id());
            out.writeShort(s.x());
            out.writeShort(s.y());
            out.writeShort(s.width());
            out.writeShort(s.height());
            out.writeInt(s.flags());
        }
    }
}
