package org.replaydesk.api.hypervisor;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import org.replaydesk.api.VmName;

/**
 * A point-in-time view of a VM, cheap enough to poll for listings.
 *
 * @param name the VM
 * @param state its life-cycle state
 * @param mode its record/replay mode
 * @param icount guest instructions executed so far (from the monitor), when the VM has a process
 * @param logBytes size of its record log file in bytes (0 when it has none)
 * @param uptime time since the process started; zero without a process
 * @param workload the workload the guest reported running last, or the configured one
 * @param failureReason why the VM is FAILED
 * @param vncAddress loopback host:port of the hypervisor's own VNC server, when it has one
 */
public record VmStatus(VmName name, VmState state, RecordReplayMode mode, OptionalLong icount, long logBytes,
        Duration uptime, String workload, Optional<String> failureReason, Optional<String> vncAddress) {
}
