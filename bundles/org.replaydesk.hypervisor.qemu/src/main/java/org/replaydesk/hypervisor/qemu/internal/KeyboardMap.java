package org.replaydesk.hypervisor.qemu.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.replaydesk.api.ReplayDeskException;

/**
 * Maps typed characters to QEMU key codes (QKeyCode names) on a US layout, the layout the demo
 * guest's console uses.
 */
final class KeyboardMap {

    /** One key stroke: a key, pressed with or without shift. */
    record Stroke(String qcode, boolean shift) {
    }

    private static final Map<Character, Stroke> STROKES = new HashMap<>();

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            STROKES.put(c, new Stroke(String.valueOf(c), false));
            STROKES.put(Character.toUpperCase(c), new Stroke(String.valueOf(c), true));
        }
        for (char c = '0'; c <= '9'; c++) {
            STROKES.put(c, new Stroke(String.valueOf(c), false));
        }
        String shiftedDigits = ")!@#$%^&*(";
        for (int i = 0; i < 10; i++) {
            STROKES.put(shiftedDigits.charAt(i), new Stroke(String.valueOf(i), true));
        }
        plain(' ', "spc");
        plain('\n', "ret");
        plain('\t', "tab");
        plain('\b', "backspace");
        pair('-', '_', "minus");
        pair('=', '+', "equal");
        pair('[', '{', "bracket_left");
        pair(']', '}', "bracket_right");
        pair('\\', '|', "backslash");
        pair(';', ':', "semicolon");
        pair('\'', '"', "apostrophe");
        pair('`', '~', "grave_accent");
        pair(',', '<', "comma");
        pair('.', '>', "dot");
        pair('/', '?', "slash");
    }

    private KeyboardMap() {
    }

    private static void plain(char c, String qcode) {
        STROKES.put(c, new Stroke(qcode, false));
    }

    private static void pair(char plain, char shifted, String qcode) {
        STROKES.put(plain, new Stroke(qcode, false));
        STROKES.put(shifted, new Stroke(qcode, true));
    }

    /** The strokes for a text; rejects the whole text, before anything is typed, if one character has no key. */
    static List<Stroke> strokes(String text) {
        List<Stroke> result = new ArrayList<>(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            Stroke stroke = STROKES.get(c);
            if (stroke == null) {
                throw ReplayDeskException.invalid(String.format(
                        "Cannot type character U+%04X at position %d: only printable ASCII, tab and newline can be typed", (int) c, i));
            }
            result.add(stroke);
        }
        return result;
    }
}
