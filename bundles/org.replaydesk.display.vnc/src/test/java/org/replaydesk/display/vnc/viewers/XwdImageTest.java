package org.replaydesk.display.vnc.viewers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class XwdImageTest {

    /**
     * A 2x2 screen as Xvfb's -fbdir writes it, MSB-first header: two pixels per row, rows padded to 12 bytes, one
     * colour-map entry to skip.
     */
    private static final byte[] GOLDEN = bytes(
            0, 0, 0, 102, //     header_size = 100 + window name "x\0"
            0, 0, 0, 7, //       file_version = 7
            0, 0, 0, 2, //       pixmap_format = ZPixmap
            0, 0, 0, 24, //      pixmap_depth = 24
            0, 0, 0, 2, //       pixmap_width = 2
            0, 0, 0, 2, //       pixmap_height = 2
            0, 0, 0, 0, //       xoffset
            0, 0, 0, 0, //       byte_order = LSBFirst (pixels)
            0, 0, 0, 32, //      bitmap_unit
            0, 0, 0, 0, //       bitmap_bit_order
            0, 0, 0, 32, //      bitmap_pad
            0, 0, 0, 32, //      bits_per_pixel = 32
            0, 0, 0, 12, //      bytes_per_line = 12 (8 used, 4 padding)
            0, 0, 0, 4, //       visual_class = TrueColor
            0, 0xFF, 0, 0, //    red_mask
            0, 0, 0xFF, 0, //    green_mask
            0, 0, 0, 0xFF, //    blue_mask
            0, 0, 0, 8, //       bits_per_rgb
            0, 0, 0, 1, //       colormap_entries
            0, 0, 0, 1, //       ncolors = 1 (12 bytes below)
            0, 0, 0, 2, //       window_width
            0, 0, 0, 2, //       window_height
            0, 0, 0, 0, //       window_x
            0, 0, 0, 0, //       window_y
            0, 0, 0, 0, //       window_bdrwidth
            'x', 0, //           window name
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // one XWDColor, ignored for TrueColor
            0x33, 0x22, 0x11, 0, 0xCC, 0xBB, 0xAA, 0, 9, 9, 9, 9, // row 0: 112233, aabbcc, padding
            0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0, 9, 9, 9, 9); //          row 1: 000000, ffffff, padding

    @Test
    void readsXvfbsScreenFile() {
        BufferedImage image = XwdImage.read(ByteBuffer.wrap(GOLDEN));
        assertEquals(2, image.getWidth());
        assertEquals(2, image.getHeight());
        assertEquals(0x112233, image.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xAABBCC, image.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0x000000, image.getRGB(0, 1) & 0xFFFFFF);
        assertEquals(0xFFFFFF, image.getRGB(1, 1) & 0xFFFFFF);
    }

    @Test
    void readsALittleEndianHeaderToo() {
        ByteBuffer swapped = ByteBuffer.wrap(GOLDEN.clone());
        ByteBuffer original = ByteBuffer.wrap(GOLDEN);
        for (int field = 0; field < 25; field++) {
            swapped.order(ByteOrder.LITTLE_ENDIAN).putInt(field * 4, original.getInt(field * 4));
        }
        BufferedImage image = XwdImage.read(swapped);
        assertEquals(0xAABBCC, image.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void refusesEveryTruncatedFileClearly() {
        // A screen file read while Xvfb creates it can be short: every prefix that lacks pixels must be refused with
        // a message, never misread. The last row's padding is not needed.
        int needed = GOLDEN.length - 4;
        for (int length = 0; length < needed; length++) {
            ByteBuffer prefix = ByteBuffer.wrap(GOLDEN, 0, length).slice();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> XwdImage.read(prefix),
                    "prefix of " + length + " bytes");
            assertTrue(e.getMessage().contains("XWD"), e.getMessage());
        }
        assertEquals(0xFFFFFF, XwdImage.read(ByteBuffer.wrap(GOLDEN, 0, needed).slice()).getRGB(1, 1) & 0xFFFFFF);
    }

    @Test
    void namesTheFieldItCannotHandle() {
        byte[] sixteenBits = GOLDEN.clone();
        sixteenBits[47] = 16; // bits_per_pixel
        assertEquals("unsupported XWD file: bits_per_pixel 16 (only 32; start Xvfb with depth 24)",
                assertThrows(IllegalArgumentException.class, () -> XwdImage.read(ByteBuffer.wrap(sixteenBits)))
                        .getMessage());
        byte[] notXwd = GOLDEN.clone();
        notXwd[7] = 6; // file_version
        assertEquals("not an XWD version 7 file (file_version field is 6)",
                assertThrows(IllegalArgumentException.class, () -> XwdImage.read(ByteBuffer.wrap(notXwd)))
                        .getMessage());
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
