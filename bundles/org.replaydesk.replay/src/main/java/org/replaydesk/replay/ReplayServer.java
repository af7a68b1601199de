package org.replaydesk.replay;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The server host a replay session follows: its record-log streamer and its chunk server.
 *
 * @param recordLog the record-log streamer ({@code org.replaydesk.recordlog}, port 5690 by default)
 * @param chunks the chunk server ({@code org.replaydesk.pager}, port 5691 by default)
 */
public record ReplayServer(InetSocketAddress recordLog, InetSocketAddress chunks) {

    /** Default port of the record-log streamer. */
    public static final int DEFAULT_RECORD_LOG_PORT = 5690;

    public ReplayServer {
        Objects.requireNonNull(recordLog, "recordLog");
        Objects.requireNonNull(chunks, "chunks");
    }

    /**
     * Parses {@code HOST[:PORT]}: PORT is the record-log streamer's (default 5690); the chunk server is on the same
     * host at PORT + 1, the default layout of a ReplayDesk host.
     *
     * @param text host and optional port
     * @return the server
     * @throws org.replaydesk.api.ReplayDeskException (INVALID_ARGUMENT) naming what is wrong
     */
    public static ReplayServer parse(String text) {
        if (text == null || text.isBlank()) {
            throw org.replaydesk.api.ReplayDeskException.invalid("server address is empty: use HOST[:PORT]");
        }
        String host = text.strip();
        int port = DEFAULT_RECORD_LOG_PORT;
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && host.indexOf(':') == colon) {
            String p = host.substring(colon + 1);
            host = host.substring(0, colon);
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65534) {
                throw org.replaydesk.api.ReplayDeskException.invalid("server address '" + text
                        + "': port '" + p + "' is not a number from 1 to 65534");
            }
        }
        if (host.isEmpty()) {
            throw org.replaydesk.api.ReplayDeskException.invalid("server address '" + text + "' has no host");
        }
        return new ReplayServer(InetSocketAddress.createUnresolved(host, port),
                InetSocketAddress.createUnresolved(host, port + 1));
    }
}
