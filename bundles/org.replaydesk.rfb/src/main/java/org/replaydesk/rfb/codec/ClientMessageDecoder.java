package org.replaydesk.rfb.codec;

import static org.replaydesk.rfb.RfbProtocolException.Reason.BAD_FIELD;
import static org.replaydesk.rfb.RfbProtocolException.Reason.LENGTH_TOO_LARGE;
import static org.replaydesk.rfb.RfbProtocolException.Reason.UNKNOWN_MESSAGE_TYPE;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.replaydesk.rfb.ClientCutText;
import org.replaydesk.rfb.ClientMessage;
import org.replaydesk.rfb.EnableContinuousUpdates;
import org.replaydesk.rfb.ExtendedDesktopSizeRectangle.Screen;
import org.replaydesk.rfb.Fence;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.KeyEvent;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PointerEvent;
import org.replaydesk.rfb.QemuExtendedKeyEvent;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.RfbProtocolException;
import org.replaydesk.rfb.SetDesktopSize;
import org.replaydesk.rfb.SetEncodings;
import org.replaydesk.rfb.SetPixelFormat;
import org.replaydesk.rfb.internal.Wire;

/**
 * Server side, normal phase: decodes every {@link ClientMessage}. Lengths are checked before the decoder waits for
 * or allocates their bytes: ClientCutText against a configurable limit, SetEncodings against
 * {@link SetEncodings#MAX_ENCODINGS}, Fence against 64. SetPixelFormat is validated here, so the application only ever
 * sees formats it can convert to.
 */
public final class ClientMessageDecoder extends AbstractRfbDecoder {

    /** Default ClientCutText limit: 1 MiB. */
    public static final int DEFAULT_MAX_CUT_TEXT = 1 << 20;

    private final int maxCutText;

    /** Creates a decoder with the default 1 MiB ClientCutText limit. */
    public ClientMessageDecoder() {
        this(DEFAULT_MAX_CUT_TEXT);
    }

    /**
     * @param maxCutText largest ClientCutText accepted, in bytes
     */
    public ClientMessageDecoder(int maxCutText) {
        super(false);
        this.maxCutText = maxCutText;
    }

    @Override
    protected void decodeUnit(ByteBuf in, List<Object> out) {
        Wire.need(in, 1);
        int type = in.getUnsignedByte(in.readerIndex());
        switch (type) {
            case ClientMessage.SET_PIXEL_FORMAT -> {
                Wire.need(in, 4 + PixelFormat.WIRE_LENGTH);
                in.skipBytes(4);
                out.add(new SetPixelFormat(PixelFormat.read(in).validate()));
            }
            case ClientMessage.SET_ENCODINGS -> {
                Wire.need(in, 4);
                int count = in.getUnsignedShort(in.readerIndex() + 2);
                if (count > SetEncodings.MAX_ENCODINGS) {
                    throw new RfbProtocolException(LENGTH_TOO_LARGE, "SetEncodings count " + count
                            + " exceeds the limit of " + SetEncodings.MAX_ENCODINGS);
                }
                Wire.need(in, 4 + 4L * count);
                in.skipBytes(4);
                List<Integer> encodings = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    encodings.add(in.readInt());
                }
                out.add(new SetEncodings(encodings));
            }
            case ClientMessage.FRAMEBUFFER_UPDATE_REQUEST -> {
                Wire.need(in, 10);
                in.skipBytes(1);
                boolean incremental = in.readUnsignedByte() != 0;
                out.add(new FramebufferUpdateRequest(incremental, readRect(in)));
            }
            case ClientMessage.KEY_EVENT -> {
                Wire.need(in, 8);
                in.skipBytes(1);
                boolean down = in.readUnsignedByte() != 0;
                in.skipBytes(2);
                out.add(new KeyEvent(down, in.readInt()));
            }
            case ClientMessage.POINTER_EVENT -> {
                Wire.need(in, 6);
                in.skipBytes(1);
                out.add(new PointerEvent(in.readUnsignedByte(), in.readUnsignedShort(), in.readUnsignedShort()));
            }
            case ClientMessage.CLIENT_CUT_TEXT -> {
                Wire.need(in, 8);
                long length = in.getUnsignedInt(in.readerIndex() + 4);
                if (length > maxCutText) {
                    throw new RfbProtocolException(LENGTH_TOO_LARGE, "ClientCutText length " + length
                            + " exceeds the limit of " + maxCutText + " bytes"
                            + (length >= 0x80000000L ? " (negative: extended clipboard, not supported)" : ""));
                }
                Wire.need(in, 8 + length);
                in.skipBytes(8);
                out.add(new ClientCutText(in.readCharSequence((int) length, StandardCharsets.ISO_8859_1)
                        .toString()));
            }
            case ClientMessage.ENABLE_CONTINUOUS_UPDATES -> {
                Wire.need(in, 10);
                in.skipBytes(1);
                boolean enable = in.readUnsignedByte() != 0;
                out.add(new EnableContinuousUpdates(enable, readRect(in)));
            }
            case ClientMessage.FENCE -> out.add(readFence(in));
            case ClientMessage.SET_DESKTOP_SIZE -> {
                Wire.need(in, 8);
                int screens = in.getUnsignedByte(in.readerIndex() + 6);
                Wire.need(in, 8 + 16L * screens);
                in.skipBytes(2);
                int width = in.readUnsignedShort();
                int height = in.readUnsignedShort();
                in.skipBytes(2);
                out.add(new SetDesktopSize(width, height, readScreens(in, screens)));
            }
            case ClientMessage.QEMU -> {
                Wire.need(in, 2);
                int subtype = in.getUnsignedByte(in.readerIndex() + 1);
                if (subtype != ClientMessage.QEMU_EXTENDED_KEY_EVENT) {
                    throw new RfbProtocolException(UNKNOWN_MESSAGE_TYPE, "QEMU client message sub-type " + subtype
                            + (subtype == ClientMessage.QEMU_AUDIO ? " (audio)" : "") + " is not supported");
                }
                Wire.need(in, 12);
                in.skipBytes(2);
                boolean down = in.readUnsignedShort() != 0;
                out.add(new QemuExtendedKeyEvent(down, in.readInt(), in.readInt()));
            }
            default -> throw new RfbProtocolException(UNKNOWN_MESSAGE_TYPE,
                    "unknown client message type " + type);
        }
    }

    static Rect readRect(ByteBuf in) {
        return new Rect(in.readUnsignedShort(), in.readUnsignedShort(), in.readUnsignedShort(),
                in.readUnsignedShort());
    }

    static List<Screen> readScreens(ByteBuf in, int count) {
        List<Screen> screens = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            screens.add(new Screen(in.readInt(), in.readUnsignedShort(), in.readUnsignedShort(),
                    in.readUnsignedShort(), in.readUnsignedShort(), in.readInt()));
        }
        return screens;
    }

    /** Fence has the same bytes in both directions; shared with {@link ServerMessageDecoder}. */
    static Fence readFence(ByteBuf in) {
        Wire.need(in, 9);
        int length = in.getUnsignedByte(in.readerIndex() + 8);
        if (length > Fence.MAX_PAYLOAD) {
            throw new RfbProtocolException(BAD_FIELD, "Fence payload length " + length + " exceeds 64");
        }
        Wire.need(in, 9 + length);
        in.skipBytes(4);
        int flags = in.readInt();
        in.skipBytes(1);
        byte[] payload = new byte[length];
        in.readBytes(payload);
        return new Fence(flags, payload);
    }
}
