package org.replaydesk.rfb;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * VNC authentication (security type 2): the response is the challenge DES-encrypted (ECB, two blocks) with a key made
 * from the password.
 *
 * <p>The key is the first 8 bytes of the password (ISO 8859-1, zero-padded) with the bits of every byte reversed:
 * the original VNC code handed the bytes to a DES implementation that numbers key bits from the least significant
 * end, and every VNC since has to reproduce that. DES ignores the (now low) parity bits, so JCE accepts the key.
 */
public final class VncAuthentication {

    private static final SecureRandom RANDOM = new SecureRandom();

    private VncAuthentication() {
    }

    /** @return a fresh random challenge for a server to send */
    public static VncAuthChallenge newChallenge() {
        byte[] challenge = new byte[VncAuthChallenge.LENGTH];
        RANDOM.nextBytes(challenge);
        return new VncAuthChallenge(challenge);
    }

    /**
     * @param password the VNC password; only its first 8 characters count
     * @return the 8-byte DES key with bit-reversed bytes
     */
    public static byte[] desKey(String password) {
        byte[] key = new byte[8];
        byte[] bytes = password.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < key.length && i < bytes.length; i++) {
            key[i] = (byte) (Integer.reverse(bytes[i] & 0xFF) >>> 24);
        }
        return key;
    }

    /**
     * Computes the client's response.
     *
     * @param challenge the server's challenge
     * @param password the password
     * @return the response
     */
    public static VncAuthResponse respond(VncAuthChallenge challenge, String password) {
        try {
            Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
            des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(desKey(password), "DES"));
            return new VncAuthResponse(des.doFinal(challenge.challenge()));
        } catch (GeneralSecurityException e) {
            // DES/ECB/NoPadding is mandatory in every Java SE runtime; its absence is a broken JRE.
            throw new IllegalStateException("DES/ECB/NoPadding is not available in this JRE", e);
        }
    }

    /**
     * Checks a client's response in constant time, so that timing does not leak how many bytes matched.
     *
     * @param challenge the challenge the server sent
     * @param response the client's response
     * @param password the expected password
     * @return whether the client knows the password
     */
    public static boolean verify(VncAuthChallenge challenge, VncAuthResponse response, String password) {
        return MessageDigest.isEqual(respond(challenge, password).response(), response.response());
    }
}
