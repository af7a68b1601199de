package org.replaydesk.api.hypervisor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives VM state changes from a {@link Hypervisor}. Called on a driver thread; keep it short
 * and never block on the VM from inside.
 */
@ConsumerType
@FunctionalInterface
public interface VmEventListener {
    void vmChanged(VmEvent event);
}
