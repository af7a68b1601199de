package org.replaydesk.display.vnc;

import java.net.SocketAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of one viewer connected to a VM display.
 *
 * @param id identifies the connection while it lasts (unique within the display)
 * @param remoteAddress where the viewer connects from
 * @param protocolVersion the negotiated RFB version ("3.8", "3.7", "3.3"), empty while the viewer has not yet sent
 *        its version
 * @param encoding the pixel encoding the viewer's updates use ("Raw", "Hextile", "ZRLE", "Tight")
 * @param pixelFormat summary of the viewer's pixel format, e.g. "32bpp depth 24 little-endian true colour"
 * @param viewOnly whether the viewer's input is ignored
 * @param connectedSince when the connection was accepted
 * @param traffic what the viewer was sent
 */
public record ViewerInfo(String id, SocketAddress remoteAddress, String protocolVersion, String encoding,
        String pixelFormat, boolean viewOnly, Instant connectedSince, TrafficStats traffic) {

    /** Checks that nothing is null. */
    public ViewerInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(pixelFormat, "pixelFormat");
        Objects.requireNonNull(connectedSince, "connectedSince");
        Objects.requireNonNull(traffic, "traffic");
    }
}
