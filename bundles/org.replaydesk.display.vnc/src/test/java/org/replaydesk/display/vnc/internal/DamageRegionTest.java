package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.replaydesk.rfb.Rect;

class DamageRegionTest {

    private final DamageRegion region = new DamageRegion();

    @Test
    void overlappingRectanglesMergeIntoTheirBoundingBox() {
        region.add(new Rect(0, 0, 100, 100), 640, 480);
        region.add(new Rect(50, 0, 100, 100), 640, 480);
        assertEquals(List.of(new Rect(0, 0, 150, 100)), region.rectangles());
    }

    @Test
    void adjacentRowsMerge() {
        for (int y = 0; y < 480; y += 16) {
            region.add(new Rect(0, y, 640, 16), 640, 480);
        }
        assertEquals(List.of(new Rect(0, 0, 640, 480)), region.rectangles());
    }

    @Test
    void distantRectanglesStaySeparate() {
        region.add(new Rect(0, 0, 10, 10), 640, 480);
        region.add(new Rect(600, 400, 10, 10), 640, 480);
        assertEquals(List.of(new Rect(0, 0, 10, 10), new Rect(600, 400, 10, 10)), region.rectangles());
    }

    @Test
    void touchingButWastefulRectanglesStaySeparate() {
        // An L shape: the bounding box would be 100x100 for 1900 changed pixels.
        region.add(new Rect(0, 0, 100, 10), 640, 480);
        region.add(new Rect(0, 10, 10, 90), 640, 480);
        assertEquals(2, region.rectangles().size());
    }

    @Test
    void containedRectangleIsAbsorbedAndContainingOneReplaces() {
        region.add(new Rect(10, 10, 100, 100), 640, 480);
        region.add(new Rect(20, 20, 5, 5), 640, 480);
        assertEquals(List.of(new Rect(10, 10, 100, 100)), region.rectangles());
        region.add(new Rect(0, 0, 200, 200), 640, 480);
        assertEquals(List.of(new Rect(0, 0, 200, 200)), region.rectangles());
    }

    @Test
    void mergeCascadesThroughRectanglesTheBoxNowTouches() {
        region.add(new Rect(0, 0, 10, 10), 640, 480);
        region.add(new Rect(20, 0, 10, 10), 640, 480);
        region.add(new Rect(10, 0, 10, 10), 640, 480);
        assertEquals(List.of(new Rect(0, 0, 30, 10)), region.rectangles());
    }

    @Test
    void rectanglesAreClippedToTheFramebufferAndEmptyOnesDropped() {
        region.add(new Rect(600, 460, 100, 100), 640, 480);
        region.add(new Rect(700, 0, 10, 10), 640, 480);
        assertEquals(List.of(new Rect(600, 460, 40, 20)), region.rectangles());
    }

    @Test
    void tooManyRectanglesCollapseIntoOneBox() {
        for (int i = 0; i <= DamageRegion.MAX_RECTANGLES; i++) {
            region.add(new Rect(i * 20, i * 10, 2, 2), 1024, 768);
        }
        assertEquals(List.of(new Rect(0, 0, DamageRegion.MAX_RECTANGLES * 20 + 2,
                DamageRegion.MAX_RECTANGLES * 10 + 2)), region.rectangles());
    }

    @Test
    void drainEmptiesTheRegion() {
        region.addAll(640, 480);
        assertEquals(List.of(new Rect(0, 0, 640, 480)), region.drain());
        assertTrue(region.isEmpty());
    }
}
