package org.replaydesk.api.session;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Opens and runs adaptive desktop sessions. Errors are {@link org.replaydesk.api.ReplayDeskException}s with a status
 * ({@code NOT_FOUND} for an unknown session, VM or policy, {@code INVALID_ARGUMENT} for a bad request, {@code CONFLICT} for a
 * request the session cannot do now, {@code UNAVAILABLE} for a missing service) and a message naming the problem.
 */
@ProviderType
public interface SessionService {

    /**
     * Opens a session on a running VM: a display for viewers showing the VM, in display mode, under the active
     * policy.
     *
     * @param vm the server VM (must be running under record for replay to be possible)
     * @param client the client host the replayer runs on; {@code null} or {@code local} for this container
     * @return the new session
     */
    SessionInfo open(String vm, String client);

    /**
     * Opens a session in this container on a VM that runs here or, with {@code server}, on another host (a two-host
     * session: this container is the client host; the server host's session agent snapshots the VM and serves its
     * display, log and chunks).
     *
     * @param vm the VM, on this host or on {@code server}
     * @param client the client host; with a server it must be this host ({@code null} or {@code local})
     * @param server the server host as {@code HOST[:PORT]}, PORT its record-log port (as {@code desk:replay-start
     *        --server} takes it), or {@code null} for a VM of this container
     * @return the new session
     * @since 1.1
     */
    default SessionInfo open(String vm, String client, String server) {
        if (server != null && !server.isBlank()) {
            throw org.replaydesk.api.ReplayDeskException.unavailable("this session service opens no two-host "
                    + "sessions");
        }
        return open(vm, client);
    }

    /** @return every open session, oldest first */
    List<SessionInfo> sessions();

    /**
     * @param id a session id
     * @return the session, if open
     */
    Optional<SessionInfo> session(String id);

    /**
     * Pins a session to a mode or gives it back to the policy. {@code REPLAY} starts an attempt at once (if in
     * display) and keeps the session in replay while the client keeps up.
     *
     * @param id a session id
     * @param request the mode
     * @return the session after the request was applied (a switch to replay may still be in progress)
     */
    SessionInfo setMode(String id, ModeRequest request);

    /**
     * @param id a session id
     * @return the session's switch log, oldest first
     */
    List<ModeSwitch> history(String id);

    /**
     * A session's latest metrics: the snapshot its last tick took and handed to the mode-switching policy (the
     * policy is not asked while the operator pins the mode, but the snapshot is still taken). What
     * {@code desk:session-metrics} shows, so operators and policy authors can see a policy's inputs. Sessions tick
     * about once a second ({@link SessionMetrics#now()} says when this one was taken); a session that has not
     * ticked yet has none.
     *
     * @param id a session id
     * @return the latest snapshot, or empty before the session's first tick
     * @since 1.4
     */
    Optional<SessionMetrics> metrics(String id);

    /**
     * Closes a session: its replayer stops, its viewers are disconnected, the VM keeps running.
     *
     * @param id a session id
     */
    void close(String id);

    /** @return the installed policies, sorted by name */
    List<PolicyInfo> policies();

    /**
     * Makes every session use the named policy from its next decision on (no viewer is dropped, no session reset).
     * The choice lasts until the next call or restart of the session service; configure {@code policy.name} to
     * keep it.
     *
     * @param name a policy's {@value ModeSwitchPolicy#NAME_PROPERTY}
     */
    void setPolicy(String name);
}
