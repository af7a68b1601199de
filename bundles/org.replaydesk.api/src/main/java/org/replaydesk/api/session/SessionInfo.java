package org.replaydesk.api.session;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code desk:session-list} shows about one session.
 *
 * @param id the session's id ({@code s1}, {@code s2}, ...)
 * @param vm the server VM the session shows
 * @param client the client host the replayer runs on ({@code local} for this container)
 * @param mode the mode now
 * @param since when the session entered {@code mode}
 * @param request what the operator asked (auto by default)
 * @param policy the policy deciding now
 * @param viewerAddress where viewers connect (the session's own display; it survives every switch)
 * @param viewers viewers connected now
 * @param displayBytes display traffic sent to viewers so far
 * @param replayBytes replay traffic so far (log and chunks the client received)
 * @param displayBytesPerSecond display traffic now (measured or estimated, see {@link SessionMetrics})
 * @param replayBytesPerSecond replay traffic now (measured or estimated)
 * @param replayLag how far the replayer is behind; empty without a replayer
 * @param switches transitions so far
 * @param lastDecision the policy's last non-stay decision reason, or empty
 * @param server where the VM runs: {@code local} for this container, else the server host's address (a two-host
 *        session)
 * @since 1.2 (server)
 */
public record SessionInfo(String id, String vm, String client, SessionMode mode, Instant since, ModeRequest request,
        String policy, InetSocketAddress viewerAddress, int viewers, long displayBytes, long replayBytes,
        double displayBytesPerSecond, double replayBytesPerSecond, Optional<Duration> replayLag, int switches,
        Optional<String> lastDecision, String server) {

    /** Checks the arguments. */
    public SessionInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(replayLag, "replayLag");
        Objects.requireNonNull(lastDecision, "lastDecision");
        Objects.requireNonNull(server, "server");
    }

    /** A session whose VM runs in this container. */
    public SessionInfo(String id, String vm, String client, SessionMode mode, Instant since, ModeRequest request,
            String policy, InetSocketAddress viewerAddress, int viewers, long displayBytes, long replayBytes,
            double displayBytesPerSecond, double replayBytesPerSecond, Optional<Duration> replayLag, int switches,
            Optional<String> lastDecision) {
        this(id, vm, client, mode, since, request, policy, viewerAddress, viewers, displayBytes, replayBytes,
                displayBytesPerSecond, replayBytesPerSecond, replayLag, switches, lastDecision, "local");
    }
}
