package org.replaydesk.rfb;

/**
 * ClientInit: one U8, non-zero when the client agrees to share the desktop with other clients.
 *
 * @param shared whether other clients may stay connected
 */
public record ClientInit(boolean shared) implements RfbMessage {
}
