package org.replaydesk.pager;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.session.ServerSessionAgent;

/**
 * A server host's {@link ServerSessionAgent} seen from a client host. Requests travel one at a time over a pager
 * connection of its own; errors are {@link org.replaydesk.api.ReplayDeskException}s: UNAVAILABLE when the server
 * cannot be reached, refuses the token or serves no sessions ("sessions are not served here"), otherwise the
 * server's own status and message.
 *
 * @since 1.2
 */
@ProviderType
public interface RemoteSessionAgent extends ServerSessionAgent, AutoCloseable {

    /** @return the round trip of the last status request (zero before the first) */
    Duration lastRoundTrip();

    /** Closes the connection; later requests open a new one. */
    @Override
    void close();
}
