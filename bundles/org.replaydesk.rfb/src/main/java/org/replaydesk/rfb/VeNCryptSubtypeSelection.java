package org.replaydesk.rfb;

/**
 * The client's choice from the {@link VeNCryptSubtypes} list: one U32; {@link VeNCryptSubtype#FAILURE} (0) when it
 * can use none of them.
 *
 * @param subtype chosen sub-type (a U32 held in an int)
 */
public record VeNCryptSubtypeSelection(int subtype) implements RfbMessage {

    @Override
    public String toString() {
        return "VeNCryptSubtypeSelection[" + VeNCryptSubtype.name(subtype) + "]";
    }
}
