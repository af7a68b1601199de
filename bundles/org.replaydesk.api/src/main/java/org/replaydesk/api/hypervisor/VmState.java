package org.replaydesk.api.hypervisor;

/** Life-cycle state of a VM as the driver sees it. */
public enum VmState {
    /** Defined, no process. */
    STOPPED,
    /** The process was launched and the driver is connecting to it. */
    STARTING,
    /** The guest is executing. */
    RUNNING,
    /** The process is alive but the guest does not execute (stopped, or reached a replay break). */
    PAUSED,
    /** The driver asked the process to end and waits for it. */
    STOPPING,
    /** The process ended without being asked to, or could not start; see the failure reason. */
    FAILED;

    /** True while a hypervisor process exists for the VM. */
    public boolean hasProcess() {
        return this == STARTING || this == RUNNING || this == PAUSED || this == STOPPING;
    }
}
