package org.replaydesk.rfb;

/**
 * QEMU extended key event (client message 255, sub-type 0): a key event with the XT scancode, so the guest gets the
 * physical key regardless of the viewer's keyboard layout. Only sent after the server acknowledged pseudo-encoding
 * {@link Encodings#QEMU_EXTENDED_KEY_EVENT}.
 *
 * @param down whether the key was pressed
 * @param keysym X11 keysym (may be 0)
 * @param keycode XT scancode; extended keys have 0x80 set in the low byte's high bit as QEMU defines (e.g. 0xE0 0x48
 *        becomes 0xC8)
 */
public record QemuExtendedKeyEvent(boolean down, int keysym, int keycode) implements ClientMessage {
}
