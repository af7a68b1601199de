package org.replaydesk.rfb;

import java.util.List;

/**
 * Server's list of security types (RFB 3.7 and 3.8): U8 count, then one U8 per type. A count of 0 is a failure
 * and decodes as {@link ConnectionFailed} instead.
 *
 * @param types offered types, 1..255 entries, each 1..255
 */
public record SecurityTypes(List<Integer> types) implements RfbMessage {

    /** Copies the list and checks that it can be written. */
    public SecurityTypes {
        types = List.copyOf(types);
        if (types.isEmpty() || types.size() > 255) {
            throw new IllegalArgumentException("security type list must have 1..255 entries, not " + types.size());
        }
        for (int t : types) {
            if (t < 1 || t > 255) {
                throw new IllegalArgumentException("security type " + t + " is not 1..255");
            }
        }
    }

    /**
     * @param types offered types
     * @return the message
     */
    public static SecurityTypes of(Integer... types) {
        return new SecurityTypes(List.of(types));
    }
}
