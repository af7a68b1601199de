package org.replaydesk.rfb;

/**
 * ClientCutText (client message 6): clipboard text, ISO 8859-1 on the wire as RFC 6143 requires. Characters outside
 * Latin-1 are written as '?'.
 *
 * @param text clipboard contents
 */
public record ClientCutText(String text) implements ClientMessage {
}
