package org.replaydesk.snapshot;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.hypervisor.VmSpec;

/**
 * What a replayer must copy from the recorder to build an identical machine (record and replay need the same
 * devices and RAM size). Boot files are the demo guest's, which every host of a deployment carries.
 *
 * @param memoryMb guest RAM in MiB
 * @param workload the workload the recorder booted with (part of its kernel command line)
 * @param network whether the recorder has a network card
 */
public record RecorderSpec(int memoryMb, String workload, boolean network) {
    public RecorderSpec {
        if (memoryMb < VmSpec.MIN_MEMORY_MB || memoryMb > VmSpec.MAX_MEMORY_MB) {
            throw ReplayDeskException.invalid("recorder memory " + memoryMb + " MiB is outside "
                    + VmSpec.MIN_MEMORY_MB + "-" + VmSpec.MAX_MEMORY_MB);
        }
        if (workload == null || workload.isBlank()) {
            throw ReplayDeskException.invalid("recorder workload is empty");
        }
    }

    /** @return the parts of a recorder's spec a replayer needs */
    public static RecorderSpec of(VmSpec spec) {
        return new RecorderSpec(spec.memoryMb(), spec.workload(), spec.network());
    }
}
