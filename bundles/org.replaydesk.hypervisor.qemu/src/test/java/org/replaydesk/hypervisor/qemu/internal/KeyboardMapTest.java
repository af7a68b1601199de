package org.replaydesk.hypervisor.qemu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.hypervisor.qemu.internal.KeyboardMap.Stroke;

class KeyboardMapTest {

    @Test
    void mapsShiftedAndPlainCharacters() {
        assertEquals(List.of(new Stroke("e", false), new Stroke("h", true), new Stroke("spc", false), new Stroke("1", true),
                new Stroke("slash", false), new Stroke("ret", false)), KeyboardMap.strokes("eH !/\n"));
    }

    @Test
    void everyPrintableAsciiCharacterHasAKey() {
        for (char c = 32; c < 127; c++) {
            assertEquals(1, KeyboardMap.strokes(String.valueOf(c)).size(), "char " + c);
        }
    }

    @Test
    void rejectsTheWholeTextWhenOneCharacterCannotBeTyped() {
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> KeyboardMap.strokes("ok\u00e9"));
        assertEquals("Cannot type character U+00E9 at position 2: only printable ASCII, tab and newline can be typed",
                e.getMessage());
    }
}
