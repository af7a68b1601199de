package org.replaydesk.rfb;

/**
 * A message of the normal protocol phase sent from the client (viewer) to the server.
 *
 * <p>{@link Fence} implements both this and {@link ServerMessage} because it travels both ways with the same bytes.
 */
public interface ClientMessage extends RfbMessage {
    /** Message type of SetPixelFormat. */
    int SET_PIXEL_FORMAT = 0;
    /** Message type of SetEncodings. */
    int SET_ENCODINGS = 2;
    /** Message type of FramebufferUpdateRequest. */
    int FRAMEBUFFER_UPDATE_REQUEST = 3;
    /** Message type of KeyEvent. */
    int KEY_EVENT = 4;
    /** Message type of PointerEvent. */
    int POINTER_EVENT = 5;
    /** Message type of ClientCutText. */
    int CLIENT_CUT_TEXT = 6;
    /** Message type of EnableContinuousUpdates. */
    int ENABLE_CONTINUOUS_UPDATES = 150;
    /** Message type of Fence (both directions). */
    int FENCE = 248;
    /** Message type of SetDesktopSize (not decoded by this library yet). */
    int SET_DESKTOP_SIZE = 251;
    /** Message type of the QEMU client messages; the sub-type follows. */
    int QEMU = 255;
    /** QEMU sub-type of the extended key event. */
    int QEMU_EXTENDED_KEY_EVENT = 0;
    /** QEMU sub-type of the audio messages (not decoded by this library yet). */
    int QEMU_AUDIO = 1;
}
