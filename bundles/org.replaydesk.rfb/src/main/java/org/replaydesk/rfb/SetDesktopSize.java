package org.replaydesk.rfb;

import java.util.List;

/**
 * SetDesktopSize (client message 251, rfbproto): the client asks for a new framebuffer size and screen layout; only
 * sent to servers that announced ExtendedDesktopSize.
 *
 * @param width requested width
 * @param height requested height
 * @param screens requested layout, at most 255 screens
 */
public record SetDesktopSize(int width, int height, List<ExtendedDesktopSizeRectangle.Screen> screens)
        implements ClientMessage {

    /** Copies the list; the count is a U8. */
    public SetDesktopSize {
        screens = List.copyOf(screens);
        if (screens.size() > 255) {
            throw new IllegalArgumentException("at most 255 screens, not " + screens.size());
        }
    }
}
