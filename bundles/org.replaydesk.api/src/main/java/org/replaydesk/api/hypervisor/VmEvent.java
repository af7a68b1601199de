package org.replaydesk.api.hypervisor;

import java.time.Instant;

import org.replaydesk.api.VmName;

/**
 * A state change of a VM.
 *
 * @param vm the VM
 * @param oldState state before
 * @param newState state after
 * @param reason why it changed (a failure reason for FAILED); never null
 * @param time when the driver observed it
 */
public record VmEvent(VmName vm, VmState oldState, VmState newState, String reason, Instant time) {
    /**
     * EventAdmin topic prefix; the full topic is {@code TOPIC_PREFIX + newState} (for example
     * {@code org/replaydesk/vm/RUNNING}). Properties: {@code vm}, {@code oldState}, {@code newState},
     * {@code reason}, {@code timestamp} (epoch milliseconds).
     */
    public static final String TOPIC_PREFIX = "org/replaydesk/vm/";
}
