package org.replaydesk.display.vnc.viewers;

import java.awt.image.BufferedImage;

/**
 * How far a viewer's picture is from the reference (QEMU's screendump): exact for lossless encodings, bounded error
 * statistics for JPEG. Errors are absolute differences per colour channel (0..255), over all pixels.
 *
 * @param width the reference width
 * @param height the reference height
 * @param sameSize whether both images have the reference size (when not, the other fields are 0)
 * @param differingPixels pixels whose RGB differs at all
 * @param meanError mean absolute error of the worst channel
 * @param p99Error 99th percentile of the absolute error, worst channel
 * @param maxError largest absolute error on any channel
 * @param firstDifference "(x,y): expected rrggbb, actual rrggbb", or null
 * @param nonBlackPixels reference pixels that are not black (a black reference would match a blank viewer)
 */
public record ImageDifference(int width, int height, boolean sameSize, long differingPixels, double meanError,
        int p99Error, int maxError, String firstDifference, long nonBlackPixels) {

    /**
     * @param expected the reference
     * @param actual what the viewer showed
     * @return the comparison
     */
    public static ImageDifference of(BufferedImage expected, BufferedImage actual) {
        int w = expected.getWidth();
        int h = expected.getHeight();
        if (actual.getWidth() != w || actual.getHeight() != h) {
            return new ImageDifference(w, h, false, 0, 0, 0, 0, "size " + actual.getWidth() + "x" + actual.getHeight()
                    + ", expected " + w + "x" + h, 0);
        }
        long[][] histogram = new long[3][256];
        long differing = 0;
        long nonBlack = 0;
        String first = null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int e = expected.getRGB(x, y) & 0xFFFFFF;
                int a = actual.getRGB(x, y) & 0xFFFFFF;
                if (e != 0) {
                    nonBlack++;
                }
                if (e != a) {
                    differing++;
                    if (first == null) {
                        first = String.format("(%d,%d): expected %06x, actual %06x", x, y, e, a);
                    }
                }
                for (int c = 0; c < 3; c++) {
                    int shift = 16 - 8 * c;
                    histogram[c][Math.abs((e >> shift & 0xFF) - (a >> shift & 0xFF))]++;
                }
            }
        }
        long pixels = (long) w * h;
        double mean = 0;
        int p99 = 0;
        int max = 0;
        for (long[] channel : histogram) {
            long sum = 0;
            long seen = 0;
            int percentile = -1;
            for (int error = 0; error < 256; error++) {
                sum += error * channel[error];
                seen += channel[error];
                if (percentile < 0 && seen >= Math.ceil(pixels * 0.99)) {
                    percentile = error;
                }
                if (channel[error] > 0) {
                    max = Math.max(max, error);
                }
            }
            mean = Math.max(mean, (double) sum / pixels);
            p99 = Math.max(p99, percentile);
        }
        return new ImageDifference(w, h, true, differing, mean, p99, max, first, nonBlack);
    }

    /** @return whether every pixel is the same */
    public boolean identical() {
        return sameSize && differingPixels == 0;
    }

    /** @return whether the reference shows enough (more than a tenth of the pixels not black) to prove anything */
    public boolean referenceHasContent() {
        return nonBlackPixels > (long) width * height / 10;
    }

    @Override
    public String toString() {
        if (!sameSize) {
            return firstDifference;
        }
        return String.format("%d of %dx%d pixels differ (first %s); per-channel error mean %.2f, p99 %d, max %d",
                differingPixels, width, height, firstDifference, meanError, p99Error, maxError);
    }
}
