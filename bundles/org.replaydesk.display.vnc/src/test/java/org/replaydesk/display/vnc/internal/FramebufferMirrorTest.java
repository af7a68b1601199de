package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.replaydesk.rfb.CopyRectangle;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.PseudoRectangle;
import org.replaydesk.rfb.Rect;

class FramebufferMirrorTest {

    private static final int W = 8;
    private static final int H = 6;

    /** Every pixel distinct: 0x00YYXX. */
    private static int[] gradient() {
        int[] p = new int[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                p[y * W + x] = (y << 8) | x;
            }
        }
        return p;
    }

    private static FramebufferMirror filled() {
        FramebufferMirror mirror = new FramebufferMirror();
        mirror.resize(W, H);
        mirror.apply(List.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(0, 0, W, H), gradient())));
        return mirror;
    }

    @Test
    void pixelRectangleLandsAtItsPositionAndIsReportedAsDamage() {
        FramebufferMirror mirror = filled();
        int[] patch = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF};
        FramebufferMirror.Change change = mirror.apply(List.of(PixelRectangle.ofPixels(Encodings.ZRLE,
                new Rect(3, 2, 2, 2), patch)));
        int[] expected = gradient();
        expected[2 * W + 3] = 0xFF0000;
        expected[2 * W + 4] = 0x00FF00;
        expected[3 * W + 3] = 0x0000FF;
        expected[3 * W + 4] = 0xFFFFFF;
        assertArrayEquals(expected, mirror.snapshot());
        assertEquals(List.of(new Rect(3, 2, 2, 2)), change.damage());
        assertFalse(change.resized());
    }

    @Test
    void pixelRectangleViewingALargerArrayUsesItsOffsetAndStride() {
        FramebufferMirror mirror = new FramebufferMirror();
        mirror.resize(W, H);
        int[] source = gradient();
        mirror.apply(List.of(PixelRectangle.of(Encodings.RAW, new Rect(2, 1, 3, 2), source, W)));
        int[] snapshot = mirror.snapshot();
        assertEquals(source[1 * W + 2], snapshot[1 * W + 2]);
        assertEquals(source[2 * W + 4], snapshot[2 * W + 4]);
        assertEquals(0, snapshot[0]);
    }

    @Test
    void overlappingCopyRectDownwardsReadsTheOriginalRows() {
        FramebufferMirror mirror = filled();
        // Scroll rows 0..4 down by one: source and destination overlap.
        mirror.apply(List.of(new CopyRectangle(new Rect(0, 1, W, H - 1), 0, 0)));
        int[] expected = gradient();
        int[] original = gradient();
        System.arraycopy(original, 0, expected, W, W * (H - 1));
        assertArrayEquals(expected, mirror.snapshot());
    }

    @Test
    void overlappingCopyRectUpwardsAndSideways() {
        FramebufferMirror mirror = filled();
        mirror.apply(List.of(new CopyRectangle(new Rect(0, 0, W - 1, H - 1), 1, 1)));
        int[] expected = gradient();
        int[] original = gradient();
        for (int y = 0; y < H - 1; y++) {
            for (int x = 0; x < W - 1; x++) {
                expected[y * W + x] = original[(y + 1) * W + x + 1];
            }
        }
        assertArrayEquals(expected, mirror.snapshot());
    }

    @Test
    void copyRectSeesPixelsOfEarlierRectanglesInTheSameUpdate() {
        FramebufferMirror mirror = filled();
        mirror.apply(List.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(0, 0, 1, 1), new int[] {0xABCDEF}),
                new CopyRectangle(new Rect(7, 5, 1, 1), 0, 0)));
        assertEquals(0xABCDEF, mirror.snapshot()[5 * W + 7]);
    }

    @Test
    void desktopSizeResizesAndReportsIt() {
        FramebufferMirror mirror = filled();
        FramebufferMirror.Change change = mirror.apply(List.of(PseudoRectangle.desktopSize(16, 4)));
        assertTrue(change.resized());
        assertEquals(16, mirror.width());
        assertEquals(4, mirror.height());
        assertEquals(64, mirror.snapshot().length);
    }

    @Test
    void copyOwnsItsPixels() {
        FramebufferMirror mirror = filled();
        PixelRectangle copy = mirror.copy(Encodings.RAW, new Rect(1, 1, 2, 2));
        mirror.apply(List.of(PixelRectangle.ofPixels(Encodings.RAW, new Rect(0, 0, W, H), new int[W * H])));
        assertEquals(gradient()[1 * W + 1], copy.pixel(0, 0));
    }
}
