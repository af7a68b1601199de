package org.replaydesk.rfb;

import java.util.List;

/**
 * FramebufferUpdate (server message 0): a list of rectangles, each with its encoding or pseudo-encoding.
 *
 * <p>When decoding, a trailing {@link Encodings#LAST_RECT} rectangle (sent with the count 0xFFFF) is kept in the
 * list so that the message re-encodes to the same bytes. When encoding, the server's Tight encoder may split a
 * rectangle into several on the wire; the count written is the real count.
 *
 * @param rectangles rectangles in wire order
 */
public record FramebufferUpdate(List<UpdateRectangle> rectangles) implements ServerMessage {

    /** Copies the list. */
    public FramebufferUpdate {
        rectangles = List.copyOf(rectangles);
    }

    /**
     * @param rectangles rectangles in wire order
     * @return the message
     */
    public static FramebufferUpdate of(UpdateRectangle... rectangles) {
        return new FramebufferUpdate(List.of(rectangles));
    }
}
