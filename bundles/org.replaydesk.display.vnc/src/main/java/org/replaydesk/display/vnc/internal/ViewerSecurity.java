package org.replaydesk.display.vnc.internal;

import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.replaydesk.rfb.SecurityTypes;
import org.replaydesk.rfb.VeNCryptSubtypes;

/**
 * How viewers of a display authenticate: the offered methods in order of preference and what they need (VNC
 * password, Plain user and password, the TLS server context). Immutable and shared by every viewer of every display;
 * checked when built, so a handshake never finds a method without its secret.
 */
final class ViewerSecurity {

    private final List<Security> offered;
    private final String vncPassword;
    private final String plainUsername;
    private final byte[] plainUsernameHash;
    private final byte[] plainPasswordHash;
    private final SslContext tls;

    private ViewerSecurity(List<Security> offered, String vncPassword, String plainUsername, String plainPassword,
            SslContext tls) {
        this.offered = List.copyOf(offered);
        this.vncPassword = vncPassword;
        this.plainUsername = plainUsername;
        this.plainUsernameHash = plainUsername == null ? null : sha256(plainUsername);
        this.plainPasswordHash = plainPassword == null ? null : sha256(plainPassword);
        this.tls = tls;
    }

    /**
     * @param offered methods in the server's order of preference, at least one, no duplicates
     * @param vncPassword password of VNCAUTH and X509VNC ({@code null} if neither is offered)
     * @param plainUsername user name of X509PLAIN ({@code null} if not offered)
     * @param plainPassword password of X509PLAIN ({@code null} if not offered)
     * @param tls server TLS context for the X509 methods ({@code null} if none is offered)
     * @return the settings
     * @throws IllegalArgumentException naming the method whose secret or keystore is missing
     */
    static ViewerSecurity of(List<Security> offered, String vncPassword, String plainUsername, String plainPassword,
            SslContext tls) {
        if (offered.isEmpty() || offered.size() != offered.stream().distinct().count()) {
            throw new IllegalArgumentException("offered security methods must be a non-empty list without duplicates: "
                    + offered);
        }
        for (Security s : offered) {
            if (s.usesTls() && tls == null) {
                throw new IllegalArgumentException("security '" + s.configName() + "' needs tls.keystore (a PKCS12 "
                        + "file with the display's certificate and private key)");
            }
            if (s.inner() == Security.InnerAuth.VNC && (vncPassword == null || vncPassword.isEmpty())) {
                throw new IllegalArgumentException("security '" + s.configName() + "' needs a password");
            }
            if (s.inner() == Security.InnerAuth.PLAIN && (plainUsername == null || plainUsername.isEmpty()
                    || plainPassword == null || plainPassword.isEmpty())) {
                throw new IllegalArgumentException("security '" + s.configName() + "' needs plain.username and "
                        + ".plain.password");
            }
        }
        return new ViewerSecurity(offered, vncPassword, plainUsername, plainPassword, tls);
    }

    /** @return no authentication (loopback displays, tests) */
    static ViewerSecurity none() {
        return of(List.of(Security.NONE), null, null, null, null);
    }

    /**
     * @param password the VNC password
     * @return VNC authentication only
     */
    static ViewerSecurity vncAuth(String password) {
        return of(List.of(Security.VNCAUTH), password, null, null, null);
    }

    /** @return the offered methods, most preferred first */
    List<Security> offered() {
        return offered;
    }

    /** @return the RFB 3.7+ security type list: each method's type once, in the order of the first method using it */
    SecurityTypes securityTypes() {
        return new SecurityTypes(offered.stream().map(Security::rfbType).distinct().toList());
    }

    /** @return the VeNCrypt sub-types, in order; empty when no X509 method is offered */
    Optional<VeNCryptSubtypes> veNCryptSubtypes() {
        List<Integer> subtypes = new ArrayList<>();
        offered.stream().filter(Security::usesTls).forEach(s -> subtypes.add(s.subtype()));
        return subtypes.isEmpty() ? Optional.empty() : Optional.of(new VeNCryptSubtypes(subtypes));
    }

    /**
     * RFB 3.3 has no type list, so the server picks, and VeNCrypt is impossible: the first method without TLS.
     *
     * @return NONE or VNCAUTH, or empty when every offered method needs TLS
     */
    Optional<Security> forRfb33() {
        return offered.stream().filter(s -> !s.usesTls()).findFirst();
    }

    /**
     * @param method a method that is offered
     * @return whether it is offered
     */
    boolean offers(Security method) {
        return offered.contains(method);
    }

    /** @return whether any offered method runs without TLS */
    boolean offersCleartext() {
        return offered.stream().anyMatch(s -> !s.usesTls());
    }

    /** @return the VNC password (VNCAUTH, X509VNC) */
    String vncPassword() {
        return vncPassword;
    }

    /** @return the server TLS context, or {@code null} when no X509 method is offered */
    SslContext tls() {
        return tls;
    }

    /**
     * Checks Plain credentials in time independent of where they differ: both sides are hashed first, so neither
     * the content nor the length of the configured values leaks through timing, and both fields are always compared.
     *
     * @param username what the viewer sent
     * @param password what the viewer sent
     * @return whether both match the configuration
     */
    boolean plainCredentialsMatch(String username, String password) {
        if (plainUsernameHash == null) {
            return false;
        }
        boolean userOk = MessageDigest.isEqual(plainUsernameHash, sha256(username));
        boolean passwordOk = MessageDigest.isEqual(plainPasswordHash, sha256(password));
        return userOk & passwordOk;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    /** Names the methods and the Plain user; never a secret. */
    @Override
    public String toString() {
        return offered.stream().map(Security::configName).collect(Collectors.joining(","))
                + (offers(Security.X509PLAIN) ? " (plain user " + plainUsername + ")" : "");
    }
}
