package org.replaydesk.rfb;

/**
 * ServerCutText (server message 3): clipboard text, ISO 8859-1 on the wire.
 *
 * @param text clipboard contents
 */
public record ServerCutText(String text) implements ServerMessage {
}
