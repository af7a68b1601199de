package org.replaydesk.rfb;

import java.util.Arrays;

/**
 * SetColourMapEntries (server message 1): 16-bit RGB values for consecutive colour-map entries.
 *
 * @param firstColour index of the first entry
 * @param colours16 red, green, blue triples of 16-bit intensities (copied in and out)
 */
public record SetColourMapEntries(int firstColour, int[] colours16) implements ServerMessage {

    /** Checks the triples and the U16 limits, takes a private copy. */
    public SetColourMapEntries {
        if (colours16.length % 3 != 0 || colours16.length / 3 > 0xFFFF || firstColour < 0 || firstColour > 0xFFFF) {
            throw new IllegalArgumentException("colour map entries must be RGB triples with U16 first and count");
        }
        colours16 = colours16.clone();
    }

    @Override
    public int[] colours16() {
        return colours16.clone();
    }

    /** @return number of entries */
    public int count() {
        return colours16.length / 3;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetColourMapEntries other && firstColour == other.firstColour
                && Arrays.equals(colours16, other.colours16);
    }

    @Override
    public int hashCode() {
        return firstColour * 31 + Arrays.hashCode(colours16);
    }

    @Override
    public String toString() {
        return "SetColourMapEntries[first=" + firstColour + ", rgb16=" + Arrays.toString(colours16) + "]";
    }
}
