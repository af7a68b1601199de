package org.replaydesk.display.vnc.viewers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes the password file TigerVNC's viewer reads with {@code -passwd FILE}: the first 8 bytes of the password,
 * zero-padded, DES-encrypted with the fixed key every VNC implementation uses to obscure stored passwords (it hides
 * nothing from anyone who has the file; it is a format, not protection). Same bytes as {@code vncpasswd -f}.
 */
public final class VncPasswordFile {

    /**
     * The well-known VNC obfuscation key 23, 82, 107, 6, 35, 78, 88, 7 with each byte's bits reversed: VNC's DES
     * code numbers key bits from the other end than the JDK's DES.
     */
    private static final byte[] OBFUSCATION_KEY = {(byte) 0xE8, 0x4A, (byte) 0xD6, 0x60, (byte) 0xC4, 0x72, 0x1A,
        (byte) 0xE0};

    private VncPasswordFile() {
    }

    /**
     * @param password the password (only its first 8 bytes count in VNC authentication)
     * @return the 8 obfuscated bytes
     */
    public static byte[] obfuscate(String password) {
        byte[] block = Arrays.copyOf(password.getBytes(StandardCharsets.ISO_8859_1), 8);
        try {
            Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
            des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(OBFUSCATION_KEY, "DES"));
            return des.doFinal(block);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no DES/ECB/NoPadding", e);
        }
    }

    /**
     * @param file where to write (replaced)
     * @param password the password
     * @return file
     * @throws java.io.IOException if it cannot be written
     */
    public static Path write(Path file, String password) throws java.io.IOException {
        return Files.write(file, obfuscate(password));
    }
}
