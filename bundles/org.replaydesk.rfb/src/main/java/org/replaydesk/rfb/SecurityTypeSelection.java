package org.replaydesk.rfb;

/**
 * Client's choice from the {@link SecurityTypes} list (RFB 3.7 and 3.8): one U8.
 *
 * @param type chosen security type, 1..255
 */
public record SecurityTypeSelection(int type) implements RfbMessage {

    /** Rejects values that do not fit a U8. */
    public SecurityTypeSelection {
        if (type < 0 || type > 255) {
            throw new IllegalArgumentException("security type " + type + " is not a U8");
        }
    }
}
