package org.replaydesk.rfb.codec;

import static org.replaydesk.rfb.TestBytes.ascii;
import static org.replaydesk.rfb.TestBytes.bytes;
import static org.replaydesk.rfb.TestBytes.concat;

import io.netty.channel.ChannelHandler;
import java.util.List;
import java.util.function.Supplier;
import org.replaydesk.rfb.Bell;
import org.replaydesk.rfb.ClientCutText;
import org.replaydesk.rfb.ClientInit;
import org.replaydesk.rfb.ConnectionFailed;
import org.replaydesk.rfb.CopyRectangle;
import org.replaydesk.rfb.CursorRectangle;
import org.replaydesk.rfb.EnableContinuousUpdates;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.EndOfContinuousUpdates;
import org.replaydesk.rfb.ExtendedDesktopSizeRectangle;
import org.replaydesk.rfb.ExtendedDesktopSizeRectangle.Screen;
import org.replaydesk.rfb.Fence;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.FramebufferUpdateRequest;
import org.replaydesk.rfb.KeyEvent;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.PlainCredentials;
import org.replaydesk.rfb.PointerEvent;
import org.replaydesk.rfb.ProtocolVersion;
import org.replaydesk.rfb.PseudoRectangle;
import org.replaydesk.rfb.QemuExtendedKeyEvent;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.RfbMessage;
import org.replaydesk.rfb.SecurityResult;
import org.replaydesk.rfb.SecurityTypeAnnouncement;
import org.replaydesk.rfb.SecurityTypeSelection;
import org.replaydesk.rfb.SecurityTypes;
import org.replaydesk.rfb.ServerCutText;
import org.replaydesk.rfb.ServerInit;
import org.replaydesk.rfb.SetColourMapEntries;
import org.replaydesk.rfb.SetDesktopSize;
import org.replaydesk.rfb.SetEncodings;
import org.replaydesk.rfb.SetPixelFormat;
import org.replaydesk.rfb.VeNCryptStatus;
import org.replaydesk.rfb.VeNCryptSubtype;
import org.replaydesk.rfb.VeNCryptSubtypeAck;
import org.replaydesk.rfb.VeNCryptSubtypeSelection;
import org.replaydesk.rfb.VeNCryptSubtypes;
import org.replaydesk.rfb.VeNCryptVersion;
import org.replaydesk.rfb.VncAuthChallenge;
import org.replaydesk.rfb.VncAuthResponse;

/**
 * Golden wire bytes for every RFB message and handshake step, with the message each decodes to. One table serves the
 * decoder tests (whole buffer and byte at a time) and the encoder tests, like Guacamole's {@code TEST_CASES}. Bytes
 * follow RFC 6143 and the rfbproto document; every field is commented.
 *
 * <p>Server messages carrying pixels use the decoder state {@link #CLIENT_FORMAT} and an 800x600 framebuffer.
 */
final class RfbGoldenVectors {

    /** Pixel format of the server-message vectors: 32 bpp, depth 24, little endian, 0x00RRGGBB. */
    static final PixelFormat CLIENT_FORMAT = PixelFormat.RGB888_LE;
    static final int FB_WIDTH = 800;
    static final int FB_HEIGHT = 600;

    /**
     * One vector.
     *
     * @param name shown in test reports
     * @param wire the exact bytes
     * @param message what they decode to / what encodes to them
     * @param decoder creates the decoder of the phase the bytes belong to
     */
    record Vector(String name, byte[] wire, RfbMessage message, Supplier<ChannelHandler> decoder) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final byte[] CHALLENGE = bytes(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
            0x0B, 0x0C, 0x0D, 0x0E, 0x0F);

    private static Vector v(String name, RfbMessage message, Supplier<ChannelHandler> decoder, int... wire) {
        return new Vector(name, bytes(wire), message, decoder);
    }

    private static ChannelHandler serverMessages() {
        return new ServerMessageDecoder(CLIENT_FORMAT, FB_WIDTH, FB_HEIGHT);
    }

    static final List<Vector> HANDSHAKE = List.of(
            v("ProtocolVersion 3.8", ProtocolVersion.V3_8, ProtocolVersionDecoder::new, concat(
                    ascii("RFB 003.008\n"))), // "RFB ", major 003, ".", minor 008, newline
            v("ProtocolVersion 3.7", ProtocolVersion.V3_7, ProtocolVersionDecoder::new, concat(
                    ascii("RFB 003.007\n"))), // minor 007
            v("ProtocolVersion 3.3", ProtocolVersion.V3_3, ProtocolVersionDecoder::new, concat(
                    ascii("RFB 003.003\n"))), // minor 003
            v("ProtocolVersion Apple 3.889", new ProtocolVersion(3, 889), ProtocolVersionDecoder::new, concat(
                    ascii("RFB 003.889\n"))), // minor 889: Apple Remote Desktop, effective 3.8
            v("SecurityTypes [None, VNC] (3.8)", SecurityTypes.of(1, 2),
                    () -> new SecurityTypesDecoder(ProtocolVersion.V3_8),
                    0x02, // number-of-security-types = 2
                    0x01, // security-types[0] = 1 None
                    0x02), // security-types[1] = 2 VNC Authentication
            v("SecurityTypes refused (3.7)", new ConnectionFailed("busy", false),
                    () -> new SecurityTypesDecoder(ProtocolVersion.V3_7), concat(new int[] {
                        0x00, // number-of-security-types = 0: failure
                        0x00, 0x00, 0x00, 0x04}, // reason-length = 4
                        ascii("busy"))), // reason-string
            v("security type VNC (3.3)", new SecurityTypeAnnouncement(2),
                    () -> new SecurityTypesDecoder(ProtocolVersion.V3_3),
                    0x00, 0x00, 0x00, 0x02), // security-type U32 = 2 VNC Authentication
            v("security type invalid (3.3)", new ConnectionFailed("no", true),
                    () -> new SecurityTypesDecoder(ProtocolVersion.V3_3), concat(new int[] {
                        0x00, 0x00, 0x00, 0x00, // security-type U32 = 0 Invalid
                        0x00, 0x00, 0x00, 0x02}, // reason-length = 2
                        ascii("no"))), // reason-string
            v("SecurityTypeSelection VNC", new SecurityTypeSelection(2),
                    () -> new SecurityTypeSelectionDecoder(SecurityTypes.of(1, 2)),
                    0x02), // security-type = 2 VNC Authentication
            v("VNC challenge", new VncAuthChallenge(CHALLENGE), VncAuthChallengeDecoder::new,
                    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, // challenge bytes 0..7
                    0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F), // challenge bytes 8..15
            v("VNC response", new VncAuthResponse(CHALLENGE), VncAuthResponseDecoder::new,
                    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, // response bytes 0..7
                    0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F), // response bytes 8..15
            v("SecurityResult OK", SecurityResult.SUCCESS, () -> new SecurityResultDecoder(ProtocolVersion.V3_8),
                    0x00, 0x00, 0x00, 0x00), // status U32 = 0 OK
            v("SecurityResult failed with reason (3.8)", SecurityResult.failed("Authentication failed"),
                    () -> new SecurityResultDecoder(ProtocolVersion.V3_8), concat(new int[] {
                        0x00, 0x00, 0x00, 0x01, // status U32 = 1 failed
                        0x00, 0x00, 0x00, 0x15}, // reason-length = 21
                        ascii("Authentication failed"))), // reason-string
            v("SecurityResult failed without reason (3.7)", SecurityResult.failed(null),
                    () -> new SecurityResultDecoder(ProtocolVersion.V3_7),
                    0x00, 0x00, 0x00, 0x01), // status U32 = 1 failed; 3.7 sends no reason
            v("SecurityResult too many attempts (3.3)", new SecurityResult(2, null),
                    () -> new SecurityResultDecoder(ProtocolVersion.V3_3),
                    0x00, 0x00, 0x00, 0x02), // status U32 = 2 too many attempts
            v("ClientInit shared", new ClientInit(true), ClientInitDecoder::new,
                    0x01), // shared-flag = 1
            v("ClientInit exclusive", new ClientInit(false), ClientInitDecoder::new,
                    0x00), // shared-flag = 0
            v("ServerInit 800x600 QEMU", new ServerInit(800, 600, PixelFormat.RGB888_LE, "QEMU"),
                    ServerInitDecoder::new, concat(new int[] {
                        0x03, 0x20, // framebuffer-width = 800
                        0x02, 0x58, // framebuffer-height = 600
                        0x20, // bits-per-pixel = 32
                        0x18, // depth = 24
                        0x00, // big-endian-flag = 0
                        0x01, // true-colour-flag = 1
                        0x00, 0xFF, // red-max = 255
                        0x00, 0xFF, // green-max = 255
                        0x00, 0xFF, // blue-max = 255
                        0x10, // red-shift = 16
                        0x08, // green-shift = 8
                        0x00, // blue-shift = 0
                        0x00, 0x00, 0x00, // padding
                        0x00, 0x00, 0x00, 0x04}, // name-length = 4
                        ascii("QEMU")))); // name-string

    /** VeNCrypt (security type 19), rfbproto "VeNCrypt", version 0.2, in handshake order. */
    static final List<Vector> VENCRYPT = List.of(
            v("VeNCrypt server version 0.2", VeNCryptVersion.V0_2, VeNCryptVersionDecoder::new,
                    0x00, // highest VeNCrypt major version = 0
                    0x02), // highest VeNCrypt minor version = 2
            v("VeNCrypt client version 0.2", VeNCryptVersion.V0_2, VeNCryptVersionChoiceDecoder::new,
                    0x00, // chosen VeNCrypt major version = 0
                    0x02), // chosen VeNCrypt minor version = 2
            v("VeNCrypt client version 0.0 (gives up)", VeNCryptVersion.NONE, VeNCryptVersionChoiceDecoder::new,
                    0x00, // chosen major = 0
                    0x00), // chosen minor = 0: the client speaks no offered version
            v("VeNCrypt status OK", VeNCryptStatus.ACCEPTED, VeNCryptStatusDecoder::new,
                    0x00), // status = 0: version supported
            v("VeNCrypt status failed", VeNCryptStatus.REFUSED, VeNCryptStatusDecoder::new,
                    0xFF), // status = 255: version not supported
            v("VeNCrypt sub-types [X509Plain, X509Vnc, X509None]", VeNCryptSubtypes.of(VeNCryptSubtype.X509_PLAIN,
                    VeNCryptSubtype.X509_VNC, VeNCryptSubtype.X509_NONE), VeNCryptSubtypesDecoder::new,
                    0x03, // number of sub-types = 3
                    0x00, 0x00, 0x01, 0x06, // sub-type U32 = 262 X509Plain
                    0x00, 0x00, 0x01, 0x05, // sub-type U32 = 261 X509Vnc
                    0x00, 0x00, 0x01, 0x04), // sub-type U32 = 260 X509None
            v("VeNCrypt sub-types [unofficial 0x80000001]", VeNCryptSubtypes.of(0x80000001),
                    VeNCryptSubtypesDecoder::new,
                    0x01, // number of sub-types = 1
                    0x80, 0x00, 0x00, 0x01), // sub-type U32 = 2147483649, top bit set: an "unofficial" sub-type
            v("VeNCrypt sub-type selection X509Plain", new VeNCryptSubtypeSelection(VeNCryptSubtype.X509_PLAIN),
                    () -> new VeNCryptSubtypeSelectionDecoder(VeNCryptSubtypes.of(VeNCryptSubtype.X509_NONE,
                            VeNCryptSubtype.X509_PLAIN)),
                    0x00, 0x00, 0x01, 0x06), // chosen sub-type U32 = 262 X509Plain
            v("VeNCrypt sub-type accepted", VeNCryptSubtypeAck.ACCEPTED, VeNCryptSubtypeAckDecoder::new,
                    0x01), // ack = 1: accepted; TLS starts after this byte
            v("VeNCrypt sub-type refused", VeNCryptSubtypeAck.REFUSED, VeNCryptSubtypeAckDecoder::new,
                    0x00), // ack = 0: refused
            v("Plain credentials", new PlainCredentials("alice", "s3cr\u00e9t"), PlainCredentialsDecoder::new,
                    concat(new int[] {
                        0x00, 0x00, 0x00, 0x05, // username length = 5
                        0x00, 0x00, 0x00, 0x07}, // password length = 7 (UTF-8: the e-acute takes 2 bytes)
                        ascii("alice"), // username
                        ascii("s3cr"), new int[] {0xC3, 0xA9}, ascii("t"))), // password "s3cr\u00e9t" in UTF-8
            v("Plain credentials, both empty", new PlainCredentials("", ""), PlainCredentialsDecoder::new,
                    0x00, 0x00, 0x00, 0x00, // username length = 0
                    0x00, 0x00, 0x00, 0x00)); // password length = 0

    static final List<Vector> CLIENT_MESSAGES = List.of(
            v("SetPixelFormat rgb565 big endian", new SetPixelFormat(PixelFormat.RGB565_BE),
                    ClientMessageDecoder::new,
                    0x00, // message-type = 0 SetPixelFormat
                    0x00, 0x00, 0x00, // padding
                    0x10, // bits-per-pixel = 16
                    0x10, // depth = 16
                    0x01, // big-endian-flag = 1
                    0x01, // true-colour-flag = 1
                    0x00, 0x1F, // red-max = 31
                    0x00, 0x3F, // green-max = 63
                    0x00, 0x1F, // blue-max = 31
                    0x0B, // red-shift = 11
                    0x05, // green-shift = 5
                    0x00, // blue-shift = 0
                    0x00, 0x00, 0x00), // padding
            v("SetPixelFormat colour map 8 bpp", new SetPixelFormat(PixelFormat.COLOUR_MAP_8),
                    ClientMessageDecoder::new,
                    0x00, // message-type = 0 SetPixelFormat
                    0x00, 0x00, 0x00, // padding
                    0x08, // bits-per-pixel = 8
                    0x08, // depth = 8
                    0x00, // big-endian-flag = 0
                    0x00, // true-colour-flag = 0: colour map
                    0x00, 0x00, // red-max (unused)
                    0x00, 0x00, // green-max (unused)
                    0x00, 0x00, // blue-max (unused)
                    0x00, 0x00, 0x00, // shifts (unused)
                    0x00, 0x00, 0x00), // padding
            v("SetEncodings", SetEncodings.of(Encodings.TIGHT, Encodings.ZRLE, Encodings.RAW,
                    Encodings.JPEG_QUALITY_LEVEL_0 + 7, Encodings.QEMU_EXTENDED_KEY_EVENT), ClientMessageDecoder::new,
                    0x02, // message-type = 2 SetEncodings
                    0x00, // padding
                    0x00, 0x05, // number-of-encodings = 5
                    0x00, 0x00, 0x00, 0x07, // encoding = 7 Tight
                    0x00, 0x00, 0x00, 0x10, // encoding = 16 ZRLE
                    0x00, 0x00, 0x00, 0x00, // encoding = 0 Raw
                    0xFF, 0xFF, 0xFF, 0xE7, // encoding = -25 JPEG quality level 7
                    0xFF, 0xFF, 0xFE, 0xFE), // encoding = -258 QEMU extended key event
            v("FramebufferUpdateRequest incremental", new FramebufferUpdateRequest(true, new Rect(0, 0, 800, 600)),
                    ClientMessageDecoder::new,
                    0x03, // message-type = 3 FramebufferUpdateRequest
                    0x01, // incremental = 1
                    0x00, 0x00, // x-position = 0
                    0x00, 0x00, // y-position = 0
                    0x03, 0x20, // width = 800
                    0x02, 0x58), // height = 600
            v("KeyEvent 'a' down", new KeyEvent(true, 0x61), ClientMessageDecoder::new,
                    0x04, // message-type = 4 KeyEvent
                    0x01, // down-flag = 1
                    0x00, 0x00, // padding
                    0x00, 0x00, 0x00, 0x61), // key = XK_a
            v("KeyEvent Return up", new KeyEvent(false, 0xFF0D), ClientMessageDecoder::new,
                    0x04, // message-type = 4 KeyEvent
                    0x00, // down-flag = 0
                    0x00, 0x00, // padding
                    0x00, 0x00, 0xFF, 0x0D), // key = XK_Return
            v("PointerEvent", new PointerEvent(0x05, 300, 200), ClientMessageDecoder::new,
                    0x05, // message-type = 5 PointerEvent
                    0x05, // button-mask = buttons 1 and 3
                    0x01, 0x2C, // x-position = 300
                    0x00, 0xC8), // y-position = 200
            v("ClientCutText Latin-1", new ClientCutText("h\u00e9"), ClientMessageDecoder::new,
                    0x06, // message-type = 6 ClientCutText
                    0x00, 0x00, 0x00, // padding
                    0x00, 0x00, 0x00, 0x02, // length = 2
                    0x68, 0xE9), // text = "hé" in ISO 8859-1
            v("EnableContinuousUpdates", new EnableContinuousUpdates(true, new Rect(10, 20, 30, 40)),
                    ClientMessageDecoder::new,
                    0x96, // message-type = 150 EnableContinuousUpdates
                    0x01, // enable-flag = 1
                    0x00, 0x0A, // x-position = 10
                    0x00, 0x14, // y-position = 20
                    0x00, 0x1E, // width = 30
                    0x00, 0x28), // height = 40
            v("Fence request (client)", new Fence(Fence.REQUEST | Fence.BLOCK_BEFORE, bytes(0xAB, 0xCD)),
                    ClientMessageDecoder::new,
                    0xF8, // message-type = 248 Fence
                    0x00, 0x00, 0x00, // padding
                    0x80, 0x00, 0x00, 0x01, // flags = Request | BlockBefore
                    0x02, // length = 2
                    0xAB, 0xCD), // payload
            v("SetDesktopSize", new SetDesktopSize(1024, 768, List.of(new Screen(1, 0, 0, 1024, 768, 0))),
                    ClientMessageDecoder::new,
                    0xFB, // message-type = 251 SetDesktopSize
                    0x00, // padding
                    0x04, 0x00, // width = 1024
                    0x03, 0x00, // height = 768
                    0x01, // number-of-screens = 1
                    0x00, // padding
                    0x00, 0x00, 0x00, 0x01, // screen id = 1
                    0x00, 0x00, // screen x = 0
                    0x00, 0x00, // screen y = 0
                    0x04, 0x00, // screen width = 1024
                    0x03, 0x00, // screen height = 768
                    0x00, 0x00, 0x00, 0x00), // screen flags = 0
            v("QEMU extended key event", new QemuExtendedKeyEvent(true, 0x61, 0x1E), ClientMessageDecoder::new,
                    0xFF, // message-type = 255 QEMU
                    0x00, // submessage-type = 0 extended key event
                    0x00, 0x01, // down-flag = 1
                    0x00, 0x00, 0x00, 0x61, // keysym = XK_a
                    0x00, 0x00, 0x00, 0x1E)); // keycode = XT scancode 0x1E ('A' key)

    static final List<Vector> SERVER_MESSAGES = List.of(
            v("FramebufferUpdate empty", FramebufferUpdate.of(), RfbGoldenVectors::serverMessages,
                    0x00, // message-type = 0 FramebufferUpdate
                    0x00, // padding
                    0x00, 0x00), // number-of-rectangles = 0
            v("FramebufferUpdate Raw 2x1", FramebufferUpdate.of(PixelRectangle.ofPixels(Encodings.RAW,
                    new Rect(4, 5, 2, 1), new int[] {0xFF0000, 0x00FF00})), RfbGoldenVectors::serverMessages,
                    0x00, // message-type = 0 FramebufferUpdate
                    0x00, // padding
                    0x00, 0x01, // number-of-rectangles = 1
                    0x00, 0x04, // x-position = 4
                    0x00, 0x05, // y-position = 5
                    0x00, 0x02, // width = 2
                    0x00, 0x01, // height = 1
                    0x00, 0x00, 0x00, 0x00, // encoding-type = 0 Raw
                    0x00, 0x00, 0xFF, 0x00, // pixel 0x00FF0000 little endian: red
                    0x00, 0xFF, 0x00, 0x00), // pixel 0x0000FF00 little endian: green
            v("FramebufferUpdate CopyRect + DesktopSize", FramebufferUpdate.of(
                    new CopyRectangle(new Rect(0, 0, 16, 8), 100, 50), PseudoRectangle.desktopSize(1024, 768)),
                    RfbGoldenVectors::serverMessages,
                    0x00, // message-type = 0 FramebufferUpdate
                    0x00, // padding
                    0x00, 0x02, // number-of-rectangles = 2
                    0x00, 0x00, 0x00, 0x00, // x-position = 0, y-position = 0
                    0x00, 0x10, 0x00, 0x08, // width = 16, height = 8
                    0x00, 0x00, 0x00, 0x01, // encoding-type = 1 CopyRect
                    0x00, 0x64, // src-x-position = 100
                    0x00, 0x32, // src-y-position = 50
                    0x00, 0x00, 0x00, 0x00, // x-position = 0, y-position = 0
                    0x04, 0x00, 0x03, 0x00, // width = 1024, height = 768: new framebuffer size
                    0xFF, 0xFF, 0xFF, 0x21), // encoding-type = -223 DesktopSize
            v("FramebufferUpdate LastRect", FramebufferUpdate.of(PseudoRectangle.qemuExtendedKeyEventAck(),
                    PseudoRectangle.lastRect()), RfbGoldenVectors::serverMessages,
                    0x00, // message-type = 0 FramebufferUpdate
                    0x00, // padding
                    0xFF, 0xFF, // number-of-rectangles = 0xFFFF: ends with LastRect
                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // x, y, width, height = 0
                    0xFF, 0xFF, 0xFE, 0xFE, // encoding-type = -258 QEMU extended key event acknowledgement
                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // x, y, width, height = 0
                    0xFF, 0xFF, 0xFF, 0x20), // encoding-type = -224 LastRect
            v("FramebufferUpdate Cursor 2x2", FramebufferUpdate.of(new CursorRectangle(1, 0, 2, 2,
                    new int[] {0xFFFFFF, 0x000000, 0x000000, 0xFFFFFF}, bytes(0xC0, 0x40))),
                    RfbGoldenVectors::serverMessages,
                    0x00, // message-type = 0 FramebufferUpdate
                    0x00, // padding
                    0x00, 0x01, // number-of-rectangles = 1
                    0x00, 0x01, // x-position = hotspot x 1
                    0x00, 0x00, // y-position = hotspot y 0
                    0x00, 0x02, 0x00, 0x02, // width = 2, height = 2
                    0xFF, 0xFF, 0xFF, 0x11, // encoding-type = -239 Cursor
                    0xFF, 0xFF, 0xFF, 0x00, // pixel (0,0) white, little endian
                    0x00, 0x00, 0x00, 0x00, // pixel (1,0) black
                    0x00, 0x00, 0x00, 0x00, // pixel (0,1) black
                    0xFF, 0xFF, 0xFF, 0x00, // pixel (1,1) white
                    0xC0, // bitmask row 0 = 11......: both pixels visible
                    0x40), // bitmask row 1 = .1......: only the right pixel
            v("FramebufferUpdate ExtendedDesktopSize", FramebufferUpdate.of(new ExtendedDesktopSizeRectangle(1, 0,
                    1024, 768, List.of(new Screen(0x12345678, 0, 0, 1024, 768, 0)))),
                    RfbGoldenVectors::serverMessages,
                    0x00, // message-type = 0 FramebufferUpdate
                    0x00, // padding
                    0x00, 0x01, // number-of-rectangles = 1
                    0x00, 0x01, // x-position = reason 1: this client asked
                    0x00, 0x00, // y-position = status 0: no error
                    0x04, 0x00, 0x03, 0x00, // width = 1024, height = 768
                    0xFF, 0xFF, 0xFE, 0xCC, // encoding-type = -308 ExtendedDesktopSize
                    0x01, // number-of-screens = 1
                    0x00, 0x00, 0x00, // padding
                    0x12, 0x34, 0x56, 0x78, // screen id
                    0x00, 0x00, 0x00, 0x00, // screen x = 0, y = 0
                    0x04, 0x00, 0x03, 0x00, // screen width = 1024, height = 768
                    0x00, 0x00, 0x00, 0x00), // screen flags = 0
            v("SetColourMapEntries", new SetColourMapEntries(1, new int[] {0xFFFF, 0, 0, 0, 0x8000, 0xFFFF}),
                    RfbGoldenVectors::serverMessages,
                    0x01, // message-type = 1 SetColourMapEntries
                    0x00, // padding
                    0x00, 0x01, // first-colour = 1
                    0x00, 0x02, // number-of-colours = 2
                    0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, // colour 1: red 0xFFFF, green 0, blue 0
                    0x00, 0x00, 0x80, 0x00, 0xFF, 0xFF), // colour 2: red 0, green 0x8000, blue 0xFFFF
            v("Bell", Bell.INSTANCE, RfbGoldenVectors::serverMessages,
                    0x02), // message-type = 2 Bell
            v("ServerCutText", new ServerCutText("clip"), RfbGoldenVectors::serverMessages, concat(new int[] {
                0x03, // message-type = 3 ServerCutText
                0x00, 0x00, 0x00, // padding
                0x00, 0x00, 0x00, 0x04}, // length = 4
                ascii("clip"))), // text
            v("EndOfContinuousUpdates", EndOfContinuousUpdates.INSTANCE, RfbGoldenVectors::serverMessages,
                    0x96), // message-type = 150 EndOfContinuousUpdates
            v("Fence response (server)", new Fence(Fence.BLOCK_BEFORE, new byte[0]),
                    RfbGoldenVectors::serverMessages,
                    0xF8, // message-type = 248 Fence
                    0x00, 0x00, 0x00, // padding
                    0x00, 0x00, 0x00, 0x01, // flags = BlockBefore (no Request bit: a response)
                    0x00)); // length = 0

    private RfbGoldenVectors() {
    }
}
