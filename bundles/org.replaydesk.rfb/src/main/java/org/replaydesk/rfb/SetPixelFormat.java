package org.replaydesk.rfb;

/**
 * SetPixelFormat (client message 0): the format the client wants pixel data in from the next update on.
 *
 * @param pixelFormat requested format
 */
public record SetPixelFormat(PixelFormat pixelFormat) implements ClientMessage {
}
