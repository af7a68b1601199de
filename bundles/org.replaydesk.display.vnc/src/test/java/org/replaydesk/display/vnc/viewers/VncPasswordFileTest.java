package org.replaydesk.display.vnc.viewers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class VncPasswordFileTest {

    /** Golden vectors: what TigerVNC 1.12's {@code echo -n PASSWORD | vncpasswd -f} writes. */
    @Test
    void matchesVncpasswd() {
        assertEquals("dbd83cfd727a1458", hex(VncPasswordFile.obfuscate("password")));
        assertEquals("c4c1050147652d94", hex(VncPasswordFile.obfuscate("k3yb0ard")));
    }

    @Test
    void onlyTheFirstEightCharactersCount() {
        assertEquals("f0e43164f6c2e373", hex(VncPasswordFile.obfuscate("123456789")));
        assertEquals(hex(VncPasswordFile.obfuscate("12345678")), hex(VncPasswordFile.obfuscate("123456789")));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
