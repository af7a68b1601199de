package org.replaydesk.api.hypervisor;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;

/**
 * A hypervisor driver: defines, persists and runs desktop VMs on this host. Definitions survive a
 * restart of the container; processes never outlive the driver.
 */
@ProviderType
public interface Hypervisor {

    /** Short driver name, e.g. "qemu". */
    String type();

    /**
     * Defines a new VM (it starts stopped). Fails with INVALID_ARGUMENT for a bad spec, CONFLICT
     * for a duplicate name, UNAVAILABLE when a boot file is missing.
     */
    VirtualMachine create(VmSpec spec);

    /**
     * Defines a VM that replays what {@code recorder} recorded: it shares the recorder's log and
     * gets its own copy of the recorder's disk image. With a snapshot tag it starts from that
     * snapshot, otherwise from power-on. The recorder should be stopped, or the snapshot taken.
     */
    VirtualMachine createReplayOf(VmName recorder, VmName replayer, Optional<SnapshotTag> snapshot);

    Optional<VirtualMachine> find(VmName name);

    /** The VM, or a {@link ReplayDeskException} with status NOT_FOUND. */
    VirtualMachine get(VmName name);

    /** All VMs, sorted by name. */
    List<VirtualMachine> list();

    /** Deletes a stopped VM and its files. CONFLICT while it runs, NOT_FOUND when unknown. */
    void delete(VmName name);

    /** The workloads the demo guest knows. */
    List<String> workloads();

    void addListener(VmEventListener listener);

    void removeListener(VmEventListener listener);
}
