package org.replaydesk.rfb;

/**
 * EnableContinuousUpdates (client message 150, rfbproto): the server pushes updates for the area without requests.
 *
 * @param enable whether to start (otherwise stop; the server answers with {@link EndOfContinuousUpdates})
 * @param rect area to keep up to date
 */
public record EnableContinuousUpdates(boolean enable, Rect rect) implements ClientMessage {
}
