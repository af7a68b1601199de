package org.replaydesk.api.session;

import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.VmName;

/**
 * The server host's side of a two-host session: what a client host running a session for one of this host's VMs
 * asks of it. The client decides the mode; the server records, snapshots and serves the VM's display, log and chunks.
 * The session bundle implements it on the server; the pager carries the requests over its token-authenticated
 * (optionally TLS) chunk-server connection, so a client reaches it with the same token as the chunks. Errors are
 * {@link org.replaydesk.api.ReplayDeskException}s: NOT_FOUND for a VM this host does not run, CONFLICT for one that
 * cannot be snapshotted now, FAILED naming the step that failed.
 *
 * @since 1.1
 */
@ProviderType
public interface ServerSessionAgent {

    /**
     * Takes a JOIN snapshot of a recording VM and exports it to the chunk store; blocks until the catalog names it.
     *
     * @param vm a VM running on this host under record
     * @return the snapshot's tag (the client's replayer starts from it) and how long the VM was stopped
     */
    JoinSnapshot takeJoinSnapshot(VmName vm);

    /**
     * What a client session polls every tick: cheap, no I/O beyond a stat of the record log.
     *
     * @param vm a VM running on this host
     * @return its record log size and where its relay display is
     */
    ServedVmStatus status(VmName vm);
}
