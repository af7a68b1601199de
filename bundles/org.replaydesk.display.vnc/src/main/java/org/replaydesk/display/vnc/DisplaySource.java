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
 * @param unixSocket the RFB server's unix socket, or null for TCP
 * @param tcp the RFB server's TCP address, or null for a unix socket
 * @param password VNC password the upstream server asks for, or null when it offers security None
 */
public record DisplaySource(Path unixSocket, InetSocketAddress tcp, String password) {

    /** Checks that exactly one of the two addresses is given. */
    public DisplaySource {
        if ((unixSocket == null) == (tcp == null)) {
            throw new IllegalArgumentException("a display source is either a unix socket or a TCP address");
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
        return new DisplaySource(Objects.requireNonNull(socket, "socket"), null, null);
    }

    /**
     * @param address an RFB server's TCP address
     * @param password its VNC password, or null for security None
     * @return the source
     */
    public static DisplaySource tcp(InetSocketAddress address, String password) {
        return new DisplaySource(null, Objects.requireNonNull(address, "address"), password);
    }

    /** @return the VNC password, if the server asks for one */
    public Optional<String> vncPassword() {
        return Optional.ofNullable(password);
    }

    /** @return "unix:/path" or "tcp:host:port", never the password */
    public String describe() {
        return unixSocket != null ? "unix:" + unixSocket : "tcp:" + tcp.getHostString() + ":" + tcp.getPort();
    }

    @Override
    public String toString() {
        return "DisplaySource[" + describe() + (password != null ? ", password=***" : "") + "]";
    }
}
