package org.replaydesk.rfb;

/**
 * Security type numbers of the RFB handshake (RFC 6143 section 7.1.2 and the IANA registry).
 *
 * <p>This library implements {@link #NONE}, {@link #VNC_AUTHENTICATION} and the messages of {@link #VENCRYPT}
 * (see {@link VeNCryptSubtype}); the others are listed so that logs can name what a peer offered.
 */
public final class SecurityType {
    /** Invalid: in 3.3 announces a failure reason. */
    public static final int INVALID = 0;
    /** No authentication. */
    public static final int NONE = 1;
    /** VNC authentication: DES challenge/response. */
    public static final int VNC_AUTHENTICATION = 2;
    /** RealVNC RA2. */
    public static final int RA2 = 5;
    /** RealVNC RA2ne. */
    public static final int RA2NE = 6;
    /** Tight security. */
    public static final int TIGHT = 16;
    /** UltraVNC. */
    public static final int ULTRA = 17;
    /** TLS (VeNCrypt predecessor). */
    public static final int TLS = 18;
    /** VeNCrypt. */
    public static final int VENCRYPT = 19;
    /** SASL (QEMU). */
    public static final int SASL = 20;
    /** MD5 hash authentication. */
    public static final int MD5 = 21;
    /** Colin Dean xvp. */
    public static final int XVP = 22;
    /** Apple Remote Desktop (Diffie-Hellman). */
    public static final int APPLE_ARD = 30;

    private SecurityType() {
    }
}
