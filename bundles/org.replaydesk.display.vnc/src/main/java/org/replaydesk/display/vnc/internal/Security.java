package org.replaydesk.display.vnc.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.replaydesk.rfb.SecurityType;
import org.replaydesk.rfb.VeNCryptSubtype;

/**
 * One way a viewer may authenticate to a display, as named in the {@code security} configuration list. The X509
 * methods are VeNCrypt sub-types: TLS with the display's certificate, then the inner authentication.
 */
enum Security {
    /** No authentication: only allowed on a loopback address. */
    NONE(SecurityType.NONE, 0, InnerAuth.NONE),
    /** Classic VNC authentication (DES challenge-response, password of at most 8 characters), in clear. */
    VNCAUTH(SecurityType.VNC_AUTHENTICATION, 0, InnerAuth.VNC),
    /** VeNCrypt X509None: TLS, then no authentication (only allowed on a loopback address, like NONE). */
    X509NONE(SecurityType.VENCRYPT, VeNCryptSubtype.X509_NONE, InnerAuth.NONE),
    /** VeNCrypt X509Vnc: TLS, then VNC authentication with {@code password}. */
    X509VNC(SecurityType.VENCRYPT, VeNCryptSubtype.X509_VNC, InnerAuth.VNC),
    /** VeNCrypt X509Plain: TLS, then user name and password. */
    X509PLAIN(SecurityType.VENCRYPT, VeNCryptSubtype.X509_PLAIN, InnerAuth.PLAIN);

    /** What runs after the security type (and, for VeNCrypt, after the TLS handshake). */
    enum InnerAuth {
        /** Nothing: straight to the SecurityResult (or, for RFB 3.3/3.7 None, to ClientInit). */
        NONE,
        /** VNC challenge and response. */
        VNC,
        /** VeNCrypt Plain user name and password. */
        PLAIN
    }

    private final int rfbType;
    private final int subtype;
    private final InnerAuth inner;

    Security(int rfbType, int subtype, InnerAuth inner) {
        this.rfbType = rfbType;
        this.subtype = subtype;
        this.inner = inner;
    }

    /** @return the RFB security type that announces this method */
    int rfbType() {
        return rfbType;
    }

    /** @return the VeNCrypt sub-type, or 0 for the methods that are not VeNCrypt */
    int subtype() {
        return subtype;
    }

    /** @return whether the method runs inside TLS */
    boolean usesTls() {
        return rfbType == SecurityType.VENCRYPT;
    }

    /** @return whether anyone who can reach the port gets the desktop */
    boolean authenticatesNobody() {
        return inner == InnerAuth.NONE;
    }

    InnerAuth inner() {
        return inner;
    }

    /** @return the name used in configuration, e.g. {@code x509plain} */
    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param subtype a VeNCrypt sub-type
     * @return the method with that sub-type
     * @throws IllegalArgumentException if none has it
     */
    static Security forSubtype(int subtype) {
        for (Security s : values()) {
            if (s.usesTls() && s.subtype == subtype) {
                return s;
            }
        }
        throw new IllegalArgumentException("no security method for VeNCrypt sub-type " + VeNCryptSubtype.name(subtype));
    }

    /**
     * Parses the {@code security} setting: a comma-separated list in the server's order of preference.
     *
     * @param value e.g. {@code "x509plain, x509vnc, vncauth"}
     * @return the methods, in order, without duplicates
     * @throws IllegalArgumentException naming the unknown or repeated entry
     */
    static List<Security> parseList(String value) {
        Set<Security> methods = new LinkedHashSet<>();
        for (String item : value.split(",")) {
            String name = item.trim();
            if (name.isEmpty()) {
                continue;
            }
            Security method;
            try {
                method = valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("security '" + name + "' is not one of none, vncauth, x509none, "
                        + "x509vnc, x509plain", e);
            }
            if (!methods.add(method)) {
                throw new IllegalArgumentException("security '" + name + "' is listed twice in '" + value + "'");
            }
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("security is empty: list at least one of none, vncauth, x509none, "
                    + "x509vnc, x509plain");
        }
        return new ArrayList<>(methods);
    }
}
