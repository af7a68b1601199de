package org.replaydesk.display.vnc.internal;

import java.util.Locale;

/**
 * The operator's image-quality setting for Tight viewers, as an int so it travels cheaply to every viewer:
 * {@link #AUTO}, {@link #LOSSLESS}, or a JPEG quality level 0-9 that caps what viewers get.
 */
final class DisplayQuality {

    /** Not set (per-VM settings only): the display-wide setting applies. */
    static final int UNSET = -3;
    /** The viewer's own JPEG quality pseudo-encoding decides. */
    static final int AUTO = -2;
    /** Never JPEG. */
    static final int LOSSLESS = -1;

    private DisplayQuality() {
    }

    static int parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "", "auto":
                return AUTO;
            case "lossless":
                return LOSSLESS;
            default:
                if (v.length() == 1 && v.charAt(0) >= '0' && v.charAt(0) <= '9') {
                    return v.charAt(0) - '0';
                }
                throw new IllegalArgumentException("quality '" + value + "' is not auto, lossless or 0-9");
        }
    }

    static String describe(int quality) {
        return switch (quality) {
            case UNSET -> "unset";
            case AUTO -> "auto";
            case LOSSLESS -> "lossless";
            default -> "JPEG " + quality;
        };
    }

    /**
     * @param setting the display's setting
     * @param asked the viewer's JPEG quality (-1: none)
     * @return the Tight JPEG quality to use (-1: no JPEG)
     */
    static int effective(int setting, int asked) {
        if (setting == AUTO || setting == UNSET) {
            return asked;
        }
        if (setting == LOSSLESS) {
            return -1;
        }
        return asked < 0 ? setting : Math.min(asked, setting);
    }
}
