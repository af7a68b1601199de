package org.replaydesk.rfb;

import java.util.Map;

/**
 * Encoding and pseudo-encoding numbers (RFC 6143 section 7.7 and the rfbproto registry).
 *
 * <p>Implemented by this library: Raw, CopyRect, Hextile, ZRLE, Tight (with JPEG quality pseudo-encodings), Cursor,
 * DesktopSize, ExtendedDesktopSize, LastRect, ContinuousUpdates, Fence and the QEMU extended key event. The others
 * are listed so that a server can recognise and log what a client offers.
 */
public final class Encodings {
    /** Raw pixels. */
    public static final int RAW = 0;
    /** Copy from another framebuffer area. */
    public static final int COPY_RECT = 1;
    /** Rise-and-run-length (not implemented). */
    public static final int RRE = 2;
    /** Compact RRE (not implemented). */
    public static final int CORRE = 4;
    /** 16x16 tiles. */
    public static final int HEXTILE = 5;
    /** zlib-compressed raw (not implemented). */
    public static final int ZLIB = 6;
    /** Tight. */
    public static final int TIGHT = 7;
    /** zlib-compressed hextile (not implemented). */
    public static final int ZLIBHEX = 8;
    /** Tiled run-length (not implemented). */
    public static final int TRLE = 15;
    /** zlib run-length. */
    public static final int ZRLE = 16;
    /** Open H.264 (not implemented). */
    public static final int OPEN_H264 = 50;
    /** JPEG quality level 0 (lowest); levels 1..9 follow up to -23. */
    public static final int JPEG_QUALITY_LEVEL_0 = -32;
    /** JPEG quality level 9 (highest). */
    public static final int JPEG_QUALITY_LEVEL_9 = -23;
    /** DesktopSize: the framebuffer was resized. */
    public static final int DESKTOP_SIZE = -223;
    /** LastRect: ends an update whose count was 0xFFFF. */
    public static final int LAST_RECT = -224;
    /** Pointer position (not implemented). */
    public static final int POINTER_POS = -232;
    /** Rich cursor. */
    public static final int CURSOR = -239;
    /** X cursor (not implemented). */
    public static final int X_CURSOR = -240;
    /** zlib compression level 0; levels 1..9 follow up to -247. */
    public static final int COMPRESS_LEVEL_0 = -256;
    /** zlib compression level 9. */
    public static final int COMPRESS_LEVEL_9 = -247;
    /** QEMU pointer motion change (absolute/relative), header-only. */
    public static final int QEMU_POINTER_MOTION_CHANGE = -257;
    /** QEMU extended key event support, header-only acknowledgement. */
    public static final int QEMU_EXTENDED_KEY_EVENT = -258;
    /** QEMU audio (not implemented). */
    public static final int QEMU_AUDIO = -259;
    /** TightPNG (not implemented). */
    public static final int TIGHT_PNG = -260;
    /** QEMU LED state (not implemented). */
    public static final int QEMU_LED_STATE = -261;
    /** Desktop name change (not implemented). */
    public static final int DESKTOP_NAME = -307;
    /** ExtendedDesktopSize. */
    public static final int EXTENDED_DESKTOP_SIZE = -308;
    /** xvp (not implemented). */
    public static final int XVP = -309;
    /** Fence messages are understood. */
    public static final int FENCE = -312;
    /** Continuous updates are understood. */
    public static final int CONTINUOUS_UPDATES = -313;
    /** Cursor with alpha (not implemented). */
    public static final int CURSOR_WITH_ALPHA = -314;
    /** JPEG fine-grained quality level 0; up to 100 at -412 (not implemented). */
    public static final int JPEG_FINE_QUALITY_LEVEL_0 = -512;
    /** JPEG subsampling level 0 (4:4:4); up to 5 at -763 (not implemented). */
    public static final int JPEG_SUBSAMPLING_LEVEL_0 = -768;
    /** VMware LED state (not implemented). */
    public static final int VMWARE_LED_STATE = 0x574D5668;
    /** Extended clipboard (not implemented). */
    public static final int EXTENDED_CLIPBOARD = 0xC0A1E5CE;

    private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(RAW, "Raw"),
            Map.entry(COPY_RECT, "CopyRect"), Map.entry(RRE, "RRE"), Map.entry(CORRE, "CoRRE"),
            Map.entry(HEXTILE, "Hextile"), Map.entry(ZLIB, "zlib"), Map.entry(TIGHT, "Tight"),
            Map.entry(ZLIBHEX, "zlibhex"), Map.entry(TRLE, "TRLE"), Map.entry(ZRLE, "ZRLE"),
            Map.entry(OPEN_H264, "OpenH264"), Map.entry(DESKTOP_SIZE, "DesktopSize"),
            Map.entry(LAST_RECT, "LastRect"), Map.entry(POINTER_POS, "PointerPos"), Map.entry(CURSOR, "Cursor"),
            Map.entry(X_CURSOR, "XCursor"), Map.entry(QEMU_POINTER_MOTION_CHANGE, "QEMUPointerMotionChange"),
            Map.entry(QEMU_EXTENDED_KEY_EVENT, "QEMUExtendedKeyEvent"), Map.entry(QEMU_AUDIO, "QEMUAudio"),
            Map.entry(TIGHT_PNG, "TightPNG"), Map.entry(QEMU_LED_STATE, "QEMULEDState"),
            Map.entry(DESKTOP_NAME, "DesktopName"), Map.entry(EXTENDED_DESKTOP_SIZE, "ExtendedDesktopSize"),
            Map.entry(XVP, "xvp"), Map.entry(FENCE, "Fence"), Map.entry(CONTINUOUS_UPDATES, "ContinuousUpdates"),
            Map.entry(CURSOR_WITH_ALPHA, "CursorWithAlpha"), Map.entry(VMWARE_LED_STATE, "VMwareLEDState"),
            Map.entry(EXTENDED_CLIPBOARD, "ExtendedClipboard"));

    private Encodings() {
    }

    /**
     * @param encoding an encoding number
     * @return a readable name for logs, e.g. "ZRLE(16)", "JPEGQualityLevel7(-25)" or "unknown(1234)"
     */
    public static String name(int encoding) {
        String name = NAMES.get(encoding);
        if (name == null) {
            if (encoding >= JPEG_QUALITY_LEVEL_0 && encoding <= JPEG_QUALITY_LEVEL_9) {
                name = "JPEGQualityLevel" + (encoding - JPEG_QUALITY_LEVEL_0);
            } else if (encoding >= COMPRESS_LEVEL_0 && encoding <= COMPRESS_LEVEL_9) {
                name = "CompressLevel" + (encoding - COMPRESS_LEVEL_0);
            } else {
                name = "unknown";
            }
        }
        return name + "(" + encoding + ")";
    }
}
