package org.replaydesk.rfb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * VNC authentication against vectors computed outside Java: the expected responses were produced with OpenSSL 3.0
 * ({@code openssl enc -des-ecb -nopad -provider legacy}) using a key whose bit reversal was done with Python string
 * reversal ({@code int('{:08b}'.format(c)[::-1], 2)}), i.e. neither the DES nor the key construction is ours.
 */
class VncAuthenticationTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void passwordVectorFromOpenSsl() {
        VncAuthChallenge challenge = new VncAuthChallenge(HEX.parseHex("000102030405060708090a0b0c0d0e0f"));
        // key for "password": 0e86ceceeef64e26; openssl enc -des-ecb -K 0e86ceceeef64e26 -nopad
        assertArrayEquals(HEX.parseHex("b866924125c8eebb9debc1db61c538e2"),
                VncAuthentication.respond(challenge, "password").response());
    }

    @Test
    void shortPasswordIsZeroPadded() {
        VncAuthChallenge challenge = new VncAuthChallenge(HEX.parseHex("deadbeef0123456789abcdeffedcba98"));
        // key for "vnc": 6e76c60000000000
        assertArrayEquals(HEX.parseHex("84e58d33bb3d3ef68fd9f1e0a3819b20"),
                VncAuthentication.respond(challenge, "vnc").response());
    }

    @Test
    void onlyTheFirstEightCharactersCount() {
        VncAuthChallenge challenge = VncAuthentication.newChallenge();
        assertArrayEquals(VncAuthentication.respond(challenge, "password").response(),
                VncAuthentication.respond(challenge, "passwordIgnoredTail").response());
    }

    /** Bit reversal done a second way: test each bit and set its mirror. */
    @Test
    void keyBytesAreBitReversed() {
        byte[] password = "pAs$w0rd".getBytes(StandardCharsets.ISO_8859_1);
        byte[] expected = new byte[8];
        for (int i = 0; i < 8; i++) {
            int mirrored = 0;
            for (int bit = 0; bit < 8; bit++) {
                if ((password[i] & (1 << bit)) != 0) {
                    mirrored |= 0x80 >> bit;
                }
            }
            expected[i] = (byte) mirrored;
        }
        assertArrayEquals(expected, VncAuthentication.desKey("pAs$w0rd"));
        assertArrayEquals(HEX.parseHex("0e86ceceeef64e26"), VncAuthentication.desKey("password"));
    }

    /** The JRE's DES is standard DES: the classic worked example (key 133457799BBCDFF1). */
    @Test
    void jreDesMatchesTheTextbookVector() throws Exception {
        Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
        des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(HEX.parseHex("133457799bbcdff1"), "DES"));
        assertArrayEquals(HEX.parseHex("85e813540f0ab405"), des.doFinal(HEX.parseHex("0123456789abcdef")));
    }

    @Test
    void verifyAcceptsTheRightPasswordOnly() {
        VncAuthChallenge challenge = VncAuthentication.newChallenge();
        VncAuthResponse response = VncAuthentication.respond(challenge, "secret");
        assertTrue(VncAuthentication.verify(challenge, response, "secret"));
        assertFalse(VncAuthentication.verify(challenge, response, "Secret"));
        assertNotEquals(challenge, VncAuthentication.newChallenge(), "challenges are random");
    }
}
