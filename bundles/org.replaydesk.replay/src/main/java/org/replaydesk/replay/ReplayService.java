package org.replaydesk.replay;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.VmName;

/**
 * Replays recording VMs on this host. One session per recording VM. Errors are {@link
 * org.replaydesk.api.ReplayDeskException}s: NOT_FOUND for a VM the server has no snapshot of, CONFLICT for a second
 * session of a VM, UNAVAILABLE for an unreachable server or a missing helper program, FAILED naming the step.
 */
@ProviderType
public interface ReplayService {

    /**
     * Starts replaying a VM; returns once the replayer runs (it may still be catching up).
     *
     * @param vm the recording VM
     * @param options where it runs and which snapshot to start from
     * @return the session
     */
    ReplaySession start(VmName vm, ReplayOptions options);

    /** @return the sessions, sorted by VM (finished ones stay listed until stopped) */
    List<ReplaySession> sessions();

    /**
     * @param vm a recording VM
     * @return its session
     */
    Optional<ReplaySession> find(VmName vm);

    /**
     * Stops a session: the replayer, the log stream, the helper; deletes the replaying VM.
     *
     * @param vm a recording VM
     * @return whether there was such a session
     */
    boolean stop(VmName vm);
}
