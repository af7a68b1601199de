package org.replaydesk.rfb;

/**
 * EndOfContinuousUpdates (server message 150): sent once to announce support for continuous updates, and after each
 * disable request. No fields.
 */
public enum EndOfContinuousUpdates implements ServerMessage {
    /** The only instance. */
    INSTANCE
}
