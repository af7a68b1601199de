package org.replaydesk.display.vnc;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a display takes its pixels from: an RFB server the relay connects to as a client. On the server host that is
 * the VM's own VNC server (a unix socket); on a client host it is either the server host's display (TCP) or a local
 * replaying VM's VNC socket. A display swaps its source with {@link DisplayService#switchSource} while its viewers stay
 * connected.
 *
 * <p>Across hosts, a source with {@link #tlsTrust()} is reached with VeNCrypt over TLS (X509None, X509Vnc or
 * X509Plain, depending on which credentials are given), and the server's certificate must chain to that CA and name
 * the host.
 *
 * @param unixSocket the RFB server's unix socket, or null for TCP
 * @param tcp the RFB server's TCP address, or null for a unix socket
 * @param username user for VeNCrypt X509Plain, or null
 * @param password VNC password (VNC authentication, X509Vnc) or the X509Plain password; null when the server asks
 *        for none
 * @param tlsTrust PEM file with the CA certificate(s) the server's certificate must chain to; null for no TLS
 */
public record DisplaySource(Path unixSocket, InetSocketAddress tcp, String username, String password,
        Path tlsTrust) {

    /** Checks that exactly one of the two addresses is given, and that TLS goes with TCP. */
    public DisplaySource {
        if ((unixSocket == null) == (tcp == null)) {
            throw new IllegalArgumentException("a display source is either a unix socket or a TCP address");
        }
        if (tlsTrust != null && tcp == null) {
            throw new IllegalArgumentException("TLS is for TCP sources; a unix socket is protected by its permissions");
        }
        if (username != null && (tlsTrust == null || password == null)) {
            throw new IllegalArgumentException("a username (X509Plain) needs TLS and a password");
        }
        if (unixSocket != null) {
            unixSocket = unixSocket.toAbsolutePath().normalize();
        }
    }

    /**
     * @param socket an RFB server's unix socket (QEMU's {@code -vnc unix:PATH})
     * @return a source without authentication
     */
    public static DisplaySource unixSocket(Path socket) {
        return new DisplaySource(Objects.requireNonNull(socket, "socket"), null, null, null, null);
    }

    /**
     * @param address an RFB server's TCP address
     * @param password its VNC password, or null for security None
     * @return the source
     */
    public static DisplaySource tcp(InetSocketAddress address, String password) {
        return new DisplaySource(null, Objects.requireNonNull(address, "address"), null, password, null);
    }

    /**
     * @param address an RFB server's TCP address (another host's display)
     * @param trust PEM file with the CA the server's certificate must chain to
     * @param username user for X509Plain, or null for X509Vnc (with a password) or X509None (without)
     * @param password the password, or null
     * @return a source reached through VeNCrypt TLS
     */
    public static DisplaySource tls(InetSocketAddress address, Path trust, String username, String password) {
        return new DisplaySource(null, Objects.requireNonNull(address, "address"), username, password,
                Objects.requireNonNull(trust, "trust"));
    }

    /** @return the VNC password, if the server asks for one */
    public Optional<String> vncPassword() {
        return Optional.ofNullable(password);
    }

    /** @return "unix:/path", "tcp:host:port" or "tls:host:port", never a secret */
    public String describe() {
        return unixSocket != null ? "unix:" + unixSocket
                : (tlsTrust != null ? "tls:" : "tcp:") + tcp.getHostString() + ":" + tcp.getPort();
    }

    @Override
    public String toString() {
        return "DisplaySource[" + describe() + (username != null ? ", user=" + username : "")
                + (password != null ? ", password=***" : "") + "]";
    }
}
