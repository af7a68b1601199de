package org.replaydesk.rfb;

/** A message of the normal protocol phase sent from the server to the client (viewer). */
public interface ServerMessage extends RfbMessage {
    /** Message type of FramebufferUpdate. */
    int FRAMEBUFFER_UPDATE = 0;
    /** Message type of SetColourMapEntries. */
    int SET_COLOUR_MAP_ENTRIES = 1;
    /** Message type of Bell. */
    int BELL = 2;
    /** Message type of ServerCutText. */
    int SERVER_CUT_TEXT = 3;
    /** Message type of EndOfContinuousUpdates. */
    int END_OF_CONTINUOUS_UPDATES = 150;
    /** Message type of Fence (both directions). */
    int FENCE = 248;
}
