package org.replaydesk.rfb;

/** Bell (server message 2): ring the viewer's bell. No fields, so one instance serves all. */
public enum Bell implements ServerMessage {
    /** The only instance. */
    INSTANCE
}
