package org.replaydesk.rfb;

/**
 * ServerInit: framebuffer size, the server's natural pixel format and the desktop name.
 *
 * @param width framebuffer width (U16)
 * @param height framebuffer height (U16)
 * @param pixelFormat server's pixel format, used until the client sends SetPixelFormat
 * @param name desktop name, written as UTF-8 (RFC 6143 allows it and every ASCII name is unchanged)
 */
public record ServerInit(int width, int height, PixelFormat pixelFormat, String name) implements RfbMessage {
}
