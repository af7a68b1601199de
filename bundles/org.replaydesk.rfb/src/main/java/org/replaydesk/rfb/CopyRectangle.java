package org.replaydesk.rfb;

/**
 * A CopyRect rectangle: copy the area at (srcX, srcY) of the client's framebuffer to {@link #rect()}.
 *
 * @param rect destination
 * @param srcX source x
 * @param srcY source y
 */
public record CopyRectangle(Rect rect, int srcX, int srcY) implements UpdateRectangle {

    @Override
    public int encoding() {
        return Encodings.COPY_RECT;
    }
}
