package org.replaydesk.rfb;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The colour map of a connection whose pixel format is not true colour: pixel value = index of an entry.
 *
 * <p>Entries are kept as the protocol's 16-bit intensities and as 0x00RRGGBB (the top 8 bits of each), since
 * framebuffers in ReplayDesk are 0x00RRGGBB. Finding the index for a colour is a nearest-match search, cached
 * because a screen has few distinct colours. Not thread-safe: one instance belongs to one connection.
 */
public final class ColourMap {

    private final int[] red16;
    private final int[] green16;
    private final int[] blue16;
    private final int[] rgb;
    private final Map<Integer, Integer> nearestCache = new HashMap<>();

    /**
     * @param size number of entries (1..65536), initially black
     */
    public ColourMap(int size) {
        if (size < 1 || size > 65536) {
            throw new IllegalArgumentException("colour map size " + size + " is not 1..65536");
        }
        red16 = new int[size];
        green16 = new int[size];
        blue16 = new int[size];
        rgb = new int[size];
    }

    /**
     * Builds a map from 0x00RRGGBB colours; each 8-bit intensity v becomes the 16-bit v * 257 (0xFF becomes 0xFFFF).
     *
     * @param colours entries in index order
     * @return the map
     */
    public static ColourMap ofRgb(int... colours) {
        ColourMap map = new ColourMap(colours.length);
        for (int i = 0; i < colours.length; i++) {
            int c = colours[i];
            map.set(i, ((c >> 16) & 0xFF) * 257, ((c >> 8) & 0xFF) * 257, (c & 0xFF) * 257);
        }
        return map;
    }

    /** @return number of entries */
    public int size() {
        return rgb.length;
    }

    /**
     * @param index entry index
     * @param red 16-bit red
     * @param green 16-bit green
     * @param blue 16-bit blue
     */
    public void set(int index, int red, int green, int blue) {
        red16[index] = red;
        green16[index] = green;
        blue16[index] = blue;
        rgb[index] = ((red >>> 8) << 16) | ((green >>> 8) << 8) | (blue >>> 8);
        nearestCache.clear();
    }

    /**
     * Applies a SetColourMapEntries message; entries beyond the map are ignored because a map never grows.
     *
     * @param entries the message
     */
    public void apply(SetColourMapEntries entries) {
        int[] colours = entries.colours16();
        for (int i = 0; i < colours.length / 3; i++) {
            int index = entries.firstColour() + i;
            if (index < rgb.length) {
                set(index, colours[i * 3], colours[i * 3 + 1], colours[i * 3 + 2]);
            }
        }
    }

    /**
     * @param index entry index; out-of-range indices read as black, since a wrong index must not kill a viewer
     * @return the entry as 0x00RRGGBB
     */
    public int rgb(int index) {
        return index >= 0 && index < rgb.length ? rgb[index] : 0;
    }

    /**
     * @param colour 0x00RRGGBB
     * @return index of the nearest entry (squared RGB distance, lowest index on ties)
     */
    public int nearestIndex(int colour) {
        Integer cached = nearestCache.get(colour);
        if (cached != null) {
            return cached;
        }
        int r = (colour >> 16) & 0xFF;
        int g = (colour >> 8) & 0xFF;
        int b = colour & 0xFF;
        int best = 0;
        long bestDistance = Long.MAX_VALUE;
        for (int i = 0; i < rgb.length && bestDistance != 0; i++) {
            int dr = ((rgb[i] >> 16) & 0xFF) - r;
            int dg = ((rgb[i] >> 8) & 0xFF) - g;
            int db = (rgb[i] & 0xFF) - b;
            long distance = (long) dr * dr + dg * dg + db * db;
            if (distance < bestDistance) {
                bestDistance = distance;
                best = i;
            }
        }
        nearestCache.put(colour, best);
        return best;
    }

    /**
     * @param first index of the first entry
     * @param count number of entries
     * @return a SetColourMapEntries message announcing those entries
     */
    public SetColourMapEntries toMessage(int first, int count) {
        int[] colours = new int[count * 3];
        for (int i = 0; i < count; i++) {
            colours[i * 3] = red16[first + i];
            colours[i * 3 + 1] = green16[first + i];
            colours[i * 3 + 2] = blue16[first + i];
        }
        return new SetColourMapEntries(first, colours);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColourMap other && Arrays.equals(red16, other.red16)
                && Arrays.equals(green16, other.green16) && Arrays.equals(blue16, other.blue16);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(rgb);
    }
}
