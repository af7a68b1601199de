package org.replaydesk.replay;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.VmName;

/** One VM being replayed on this host. */
@ProviderType
public interface ReplaySession {

    /** @return the recording VM */
    VmName vm();

    /** @return the local replaying VM (a VM of this host's hypervisor) */
    VmName replayer();

    /** @return a fresh status (asks the replayer for its icount) */
    ReplayStatus status();

    /**
     * Waits until the replayer has caught up with the recorder (state LIVE).
     *
     * @param timeout how long to wait
     * @return the status then
     * @throws org.replaydesk.api.ReplayDeskException UNAVAILABLE on timeout, FAILED when the session failed first
     *     (with its reason)
     */
    ReplayStatus awaitLive(Duration timeout);
}
