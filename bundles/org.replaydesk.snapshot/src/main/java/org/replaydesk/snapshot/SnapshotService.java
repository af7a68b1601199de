package org.replaydesk.snapshot;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;

/**
 * Snapshots of the recording VMs on this host. The component takes them by itself after boot and periodically
 * (see its configuration); this interface takes them on request or when a client joins, and lists them.
 * Errors are {@link org.replaydesk.api.ReplayDeskException}s: NOT_FOUND for an unknown VM, INVALID_ARGUMENT for a VM
 * that does not record, CONFLICT for one that does not run, FAILED naming the step that failed.
 */
@ProviderType
public interface SnapshotService {

    /**
     * Takes a snapshot now and exports it; blocks until the catalog names it. Snapshots of one VM are taken one at a
     * time (a second caller waits).
     *
     * @param vm a running recording VM
     * @param trigger why (REQUEST or JOIN from callers)
     * @param progress told about each step
     * @return the new snapshot
     */
    SnapshotInfo take(VmName vm, SnapshotTrigger trigger, SnapshotProgress progress);

    /**
     * @param vm a VM
     * @return its kept snapshots, oldest first (empty for a VM without snapshots)
     */
    List<SnapshotInfo> list(VmName vm);

    /**
     * @param vm a VM
     * @return its newest snapshot
     */
    default Optional<SnapshotInfo> newest(VmName vm) {
        List<SnapshotInfo> all = list(vm);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * Deletes a snapshot: from the VM's image (when it runs), the chunk store and the catalog.
     *
     * @param vm a VM
     * @param tag one of its snapshots
     * @return whether there was such a snapshot
     */
    boolean delete(VmName vm, SnapshotTag tag);

    /** @return the VMs this service has snapshots of, sorted */
    List<VmName> vms();
}
