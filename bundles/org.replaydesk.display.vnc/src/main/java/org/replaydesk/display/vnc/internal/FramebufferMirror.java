package org.replaydesk.display.vnc.internal;

import java.util.ArrayList;
import java.util.List;
import org.replaydesk.rfb.CopyRectangle;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.ExtendedDesktopSizeRectangle;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.PseudoRectangle;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.UpdateRectangle;

/**
 * The relay's copy of the VM's screen: 0x00RRGGBB pixels, row-major, stride = width.
 *
 * <p>Written by the upstream reader thread, read by every viewer's event loop. All access is under the instance lock
 * and viewers copy the pixels they send ({@link #copy}), so a viewer never sends a half-updated rectangle and the
 * upstream reader never waits for a viewer's socket, only for a memory copy.
 */
final class FramebufferMirror {

    private int width;
    private int height;
    private int[] pixels = new int[0];

    /** Result of applying one decoded update. */
    record Change(List<Rect> damage, boolean resized) {
    }

    synchronized int width() {
        return width;
    }

    synchronized int height() {
        return height;
    }

    /**
     * Sets the size (ServerInit, DesktopSize); the content becomes black.
     *
     * @param newWidth width
     * @param newHeight height
     */
    synchronized void resize(int newWidth, int newHeight) {
        width = newWidth;
        height = newHeight;
        pixels = new int[newWidth * newHeight];
    }

    /**
     * Applies the rectangles of one FramebufferUpdate in order, as RFB requires (a CopyRect reads what the
     * rectangles before it wrote).
     *
     * @param rectangles decoded rectangles; pixel data is 0x00RRGGBB
     * @return the damaged regions and whether the size changed
     */
    synchronized Change apply(List<UpdateRectangle> rectangles) {
        List<Rect> damage = new ArrayList<>(rectangles.size());
        boolean resized = false;
        for (UpdateRectangle r : rectangles) {
            if (r instanceof PixelRectangle p) {
                Rect rect = p.rect();
                for (int row = 0; row < rect.height(); row++) {
                    System.arraycopy(p.pixels(), p.offset() + row * p.stride(), pixels,
                            (rect.y() + row) * width + rect.x(), rect.width());
                }
                damage.add(rect);
            } else if (r instanceof CopyRectangle c) {
                copyWithin(c);
                damage.add(c.rect());
            } else if (r instanceof PseudoRectangle ps && ps.encoding() == Encodings.DESKTOP_SIZE) {
                resize(ps.rect().width(), ps.rect().height());
                resized = true;
                damage.clear();
            } else if (r instanceof ExtendedDesktopSizeRectangle e && e.status() == 0) {
                resize(e.width(), e.height());
                resized = true;
                damage.clear();
            }
            // Cursor and other pseudo-rectangles do not change the framebuffer.
        }
        return new Change(damage, resized);
    }

    private void copyWithin(CopyRectangle c) {
        Rect dst = c.rect();
        // Source and destination may overlap: walk rows in the direction that never reads an overwritten row
        // (System.arraycopy already handles overlap within one row).
        if (c.srcY() >= dst.y()) {
            for (int row = 0; row < dst.height(); row++) {
                copyRow(c, row);
            }
        } else {
            for (int row = dst.height() - 1; row >= 0; row--) {
                copyRow(c, row);
            }
        }
    }

    private void copyRow(CopyRectangle c, int row) {
        Rect dst = c.rect();
        System.arraycopy(pixels, (c.srcY() + row) * width + c.srcX(), pixels, (dst.y() + row) * width + dst.x(),
                dst.width());
    }

    /**
     * Copies a region for sending, so that later upstream updates cannot change it while it is encoded.
     *
     * @param encoding encoding to send it with
     * @param rect region, inside the framebuffer
     * @return a rectangle owning its pixels
     */
    synchronized PixelRectangle copy(int encoding, Rect rect) {
        return PixelRectangle.copyOf(encoding, rect, pixels, width);
    }

    /**
     * Copies a region of another mirror of the same size into this one; the caller holds both locks (this one
     * first).
     *
     * @param other the source mirror
     * @param rect region inside both
     */
    void copyFrom(FramebufferMirror other, Rect rect) {
        assert Thread.holdsLock(this) && Thread.holdsLock(other);
        for (int row = rect.y(); row < rect.y() + rect.height(); row++) {
            int at = row * width + rect.x();
            System.arraycopy(other.pixels, row * other.width + rect.x(), pixels, at, rect.width());
        }
    }

    /**
     * Compares this mirror with another of the same size, tile by tile; the caller holds both locks.
     *
     * @param other the mirror to compare with
     * @param tile side of the square tiles
     * @param out receives each differing tile (clipped to the framebuffer), in row-major order
     * @return the number of differing pixels
     */
    long diffInto(FramebufferMirror other, int tile, List<Rect> out) {
        assert Thread.holdsLock(this) && Thread.holdsLock(other);
        long differing = 0;
        for (int ty = 0; ty < height; ty += tile) {
            int th = Math.min(tile, height - ty);
            for (int tx = 0; tx < width; tx += tile) {
                int tw = Math.min(tile, width - tx);
                int inTile = 0;
                for (int row = ty; row < ty + th; row++) {
                    int at = row * width + tx;
                    if (java.util.Arrays.mismatch(pixels, at, at + tw, other.pixels, at, at + tw) < 0) {
                        continue;
                    }
                    for (int i = at; i < at + tw; i++) {
                        if (pixels[i] != other.pixels[i]) {
                            inTile++;
                        }
                    }
                }
                if (inTile > 0) {
                    differing += inTile;
                    out.add(new Rect(tx, ty, tw, th));
                }
            }
        }
        return differing;
    }

    /** @return a copy of every pixel (tests) */
    synchronized int[] snapshot() {
        return pixels.clone();
    }
}
