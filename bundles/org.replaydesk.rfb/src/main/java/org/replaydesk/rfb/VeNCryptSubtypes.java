package org.replaydesk.rfb;

import java.util.List;

/**
 * The server's VeNCrypt 0.2 sub-type list: U8 count, then one U32 per sub-type ({@link VeNCryptSubtype}), in the
 * server's order of preference.
 *
 * @param subtypes offered sub-types, 1..255 entries, none of them {@link VeNCryptSubtype#FAILURE}
 */
public record VeNCryptSubtypes(List<Integer> subtypes) implements RfbMessage {

    /** Copies the list and checks that it can be written. */
    public VeNCryptSubtypes {
        subtypes = List.copyOf(subtypes);
        if (subtypes.isEmpty() || subtypes.size() > 255) {
            throw new IllegalArgumentException("VeNCrypt sub-type list must have 1..255 entries, not "
                    + subtypes.size());
        }
        if (subtypes.contains(VeNCryptSubtype.FAILURE)) {
            throw new IllegalArgumentException("VeNCrypt sub-type 0 (failure) cannot be offered");
        }
    }

    /**
     * @param subtypes offered sub-types
     * @return the message
     */
    public static VeNCryptSubtypes of(Integer... subtypes) {
        return new VeNCryptSubtypes(List.of(subtypes));
    }

    @Override
    public String toString() {
        return "VeNCryptSubtypes" + subtypes.stream().map(VeNCryptSubtype::name).toList();
    }
}
