package org.replaydesk.rfb;

import java.util.List;

/**
 * An ExtendedDesktopSize rectangle (pseudo-encoding -308): the new framebuffer size and screen layout.
 *
 * @param reason header x: 0 server change, 1 this client's request, 2 another client's request
 * @param status header y: 0 no error, 1 prohibited, 2 out of resources, 3 invalid layout
 * @param width new framebuffer width
 * @param height new framebuffer height
 * @param screens screen layout, at most 255 entries
 */
public record ExtendedDesktopSizeRectangle(int reason, int status, int width, int height, List<Screen> screens)
        implements UpdateRectangle {

    /**
     * One screen of the layout.
     *
     * @param id screen id (U32)
     * @param x left edge
     * @param y top edge
     * @param width width
     * @param height height
     * @param flags unused, 0
     */
    public record Screen(int id, int x, int y, int width, int height, int flags) {
    }

    /** Copies the list; the count is a U8. */
    public ExtendedDesktopSizeRectangle {
        screens = List.copyOf(screens);
        if (screens.size() > 255) {
            throw new IllegalArgumentException("at most 255 screens, not " + screens.size());
        }
    }

    @Override
    public Rect rect() {
        return new Rect(reason, status, width, height);
    }

    @Override
    public int encoding() {
        return Encodings.EXTENDED_DESKTOP_SIZE;
    }
}
