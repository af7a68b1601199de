package org.replaydesk.display.vnc.internal;

import java.util.ArrayList;
import java.util.List;
import org.replaydesk.rfb.Rect;

/**
 * Changed parts of a framebuffer, as a short list of rectangles. Not thread-safe: each owner (a viewer's event loop)
 * keeps its own.
 *
 * <p>Rectangles are coalesced as they arrive: a new one that overlaps or touches a kept one merges with it when
 * their bounding box wastes little ({@link #MERGE_SLACK}), and the list never grows beyond {@link #MAX_RECTANGLES}
 * (then everything collapses into one bounding box). This bounds memory and per-update overhead for a viewer that
 * falls behind: however much the screen changes, its pending damage is at most a few rectangles.
 */
final class DamageRegion {

    /** Most rectangles kept; many small ones cost more in headers and encoder setup than one larger one. */
    static final int MAX_RECTANGLES = 32;
    /** Two rectangles merge when their bounding box is at most this much larger than their combined area. */
    static final double MERGE_SLACK = 1.25;

    private final List<Rect> rects = new ArrayList<>();

    /**
     * Adds a changed rectangle, clipped to the framebuffer.
     *
     * @param rect the change
     * @param fbWidth framebuffer width
     * @param fbHeight framebuffer height
     */
    void add(Rect rect, int fbWidth, int fbHeight) {
        Rect clipped = clip(rect, fbWidth, fbHeight);
        if (clipped == null) {
            return;
        }
        // Merging can make the box touch others, so repeat until it settles.
        boolean merged = true;
        while (merged) {
            merged = false;
            for (int i = 0; i < rects.size(); i++) {
                Rect kept = rects.get(i);
                if (contains(kept, clipped)) {
                    return;
                }
                if (touches(kept, clipped)) {
                    Rect box = union(kept, clipped);
                    if (contains(clipped, kept) || box.area() <= MERGE_SLACK * (kept.area() + clipped.area())) {
                        rects.remove(i);
                        clipped = box;
                        merged = true;
                        break;
                    }
                }
            }
        }
        rects.add(clipped);
        if (rects.size() > MAX_RECTANGLES) {
            Rect box = rects.get(0);
            for (Rect r : rects) {
                box = union(box, r);
            }
            rects.clear();
            rects.add(box);
        }
    }

    /** Marks the whole framebuffer changed. */
    void addAll(int fbWidth, int fbHeight) {
        rects.clear();
        if (fbWidth > 0 && fbHeight > 0) {
            rects.add(new Rect(0, 0, fbWidth, fbHeight));
        }
    }

    /** @return whether nothing changed */
    boolean isEmpty() {
        return rects.isEmpty();
    }

    /** @return the rectangles, and forgets them */
    List<Rect> drain() {
        List<Rect> out = List.copyOf(rects);
        rects.clear();
        return out;
    }

    /** @return the current rectangles (a copy) */
    List<Rect> rectangles() {
        return List.copyOf(rects);
    }

    void clear() {
        rects.clear();
    }

    static Rect clip(Rect r, int fbWidth, int fbHeight) {
        int x1 = Math.min(r.x() + r.width(), fbWidth);
        int y1 = Math.min(r.y() + r.height(), fbHeight);
        if (r.x() >= x1 || r.y() >= y1) {
            return null;
        }
        return new Rect(r.x(), r.y(), x1 - r.x(), y1 - r.y());
    }

    static Rect union(Rect a, Rect b) {
        int x0 = Math.min(a.x(), b.x());
        int y0 = Math.min(a.y(), b.y());
        int x1 = Math.max(a.x() + a.width(), b.x() + b.width());
        int y1 = Math.max(a.y() + a.height(), b.y() + b.height());
        return new Rect(x0, y0, x1 - x0, y1 - y0);
    }

    static boolean contains(Rect outer, Rect inner) {
        return inner.x() >= outer.x() && inner.y() >= outer.y()
                && inner.x() + inner.width() <= outer.x() + outer.width()
                && inner.y() + inner.height() <= outer.y() + outer.height();
    }

    /** Overlapping or sharing an edge. */
    static boolean touches(Rect a, Rect b) {
        return a.x() <= b.x() + b.width() && b.x() <= a.x() + a.width()
                && a.y() <= b.y() + b.height() && b.y() <= a.y() + a.height();
    }
}
