package org.replaydesk.rfb;

/**
 * FramebufferUpdateRequest (client message 3). Not checked against the framebuffer size: after a resize a client's
 * request may legitimately be stale, so the server clips it.
 *
 * @param incremental whether only changes since the last update are wanted
 * @param rect requested area
 */
public record FramebufferUpdateRequest(boolean incremental, Rect rect) implements ClientMessage {
}
