package org.replaydesk.rfb;

/**
 * VeNCrypt 0.2 sub-type numbers (security type {@link SecurityType#VENCRYPT}, rfbproto "VeNCrypt"). On the wire they
 * are U32s; this library holds them in a Java {@code int}, so the "unofficial" sub-types with the top bit set are
 * negative numbers here and are printed unsigned.
 *
 * <p>The {@code TLS*} sub-types use anonymous TLS (no certificate, so no protection against a man in the middle); the
 * {@code X509*} ones authenticate the server with its certificate. After the TLS handshake, {@code *None} continues
 * like security type None, {@code *Vnc} like VNC authentication and {@code *Plain} with {@link PlainCredentials}.
 */
public final class VeNCryptSubtype {
    /** Sent by a client that cannot choose any offered sub-type; never offered. */
    public static final int FAILURE = 0;
    /** Username and password in clear text, without TLS. */
    public static final int PLAIN = 256;
    /** Anonymous TLS, then no authentication. */
    public static final int TLS_NONE = 257;
    /** Anonymous TLS, then VNC authentication. */
    public static final int TLS_VNC = 258;
    /** Anonymous TLS, then Plain (username and password). */
    public static final int TLS_PLAIN = 259;
    /** TLS with the server's X.509 certificate, then no authentication. */
    public static final int X509_NONE = 260;
    /** TLS with the server's X.509 certificate, then VNC authentication. */
    public static final int X509_VNC = 261;
    /** TLS with the server's X.509 certificate, then Plain (username and password). */
    public static final int X509_PLAIN = 262;
    /** TLS, then SASL (gtk-vnc and QEMU; not implemented by this library). */
    public static final int TLS_SASL = 263;
    /** X.509 TLS, then SASL (gtk-vnc and QEMU; not implemented by this library). */
    public static final int X509_SASL = 264;

    private VeNCryptSubtype() {
    }

    /**
     * @param subtype a sub-type number
     * @return e.g. {@code "X509Plain(262)"}, or {@code "unknown(4294967295)"}, for log and error messages
     */
    public static String name(int subtype) {
        String name = switch (subtype) {
            case FAILURE -> "Failure";
            case PLAIN -> "Plain";
            case TLS_NONE -> "TLSNone";
            case TLS_VNC -> "TLSVnc";
            case TLS_PLAIN -> "TLSPlain";
            case X509_NONE -> "X509None";
            case X509_VNC -> "X509Vnc";
            case X509_PLAIN -> "X509Plain";
            case TLS_SASL -> "TLSSASL";
            case X509_SASL -> "X509SASL";
            default -> "unknown";
        };
        return name + "(" + Integer.toUnsignedString(subtype) + ")";
    }
}
