package org.replaydesk.display.vnc.viewers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageDifferenceTest {

    @Test
    void identicalImages() {
        BufferedImage a = filled(10, 10, 0x102030);
        ImageDifference diff = ImageDifference.of(a, filled(10, 10, 0x102030));
        assertTrue(diff.identical());
        assertTrue(diff.referenceHasContent());
        assertEquals(0, diff.meanError());
    }

    @Test
    void errorStatisticsUseTheWorstChannel() {
        BufferedImage expected = filled(10, 10, 0x000000);
        BufferedImage actual = filled(10, 10, 0x000000);
        actual.setRGB(3, 4, 0x000A00); // green off by 10 on one pixel of 100
        actual.setRGB(5, 5, 0x640000); // red off by 100 on another
        ImageDifference diff = ImageDifference.of(expected, actual);
        assertFalse(diff.identical());
        assertEquals(2, diff.differingPixels());
        assertEquals(1.0, diff.meanError(), 1e-9); // red: 100 / 100 pixels
        assertEquals(0, diff.p99Error()); // 99 of 100 pixels are exact on every channel
        assertEquals(100, diff.maxError());
        assertEquals("(3,4): expected 000000, actual 000a00", diff.firstDifference());
        assertFalse(diff.referenceHasContent());
    }

    @Test
    void differentSizesAreReportedNotCompared() {
        ImageDifference diff = ImageDifference.of(filled(4, 4, 1), filled(4, 5, 1));
        assertFalse(diff.identical());
        assertEquals("size 4x5, expected 4x4", diff.toString());
    }

    private static BufferedImage filled(int w, int h, int rgb) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }
}
