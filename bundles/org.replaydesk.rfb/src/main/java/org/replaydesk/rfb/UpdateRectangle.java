package org.replaydesk.rfb;

/**
 * One rectangle of a {@link FramebufferUpdate}: a header (x, y, width, height, encoding) and its payload.
 *
 * <p>Sealed so that the encoders and decoders can handle every kind exhaustively.
 */
public sealed interface UpdateRectangle
        permits PixelRectangle, CopyRectangle, PseudoRectangle, CursorRectangle, ExtendedDesktopSizeRectangle {

    /** @return the header's x, y, width and height (their meaning varies for pseudo-encodings) */
    Rect rect();

    /** @return the header's encoding number */
    int encoding();
}
