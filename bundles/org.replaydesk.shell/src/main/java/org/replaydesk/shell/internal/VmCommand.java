package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.VirtualMachine;

/** Base of the commands that act on one named VM (its first argument). */
public abstract class VmCommand implements Action {

    @Reference
    Hypervisor hypervisor;

    @Argument(index = 0, name = "vm", required = true, description = "VM name")
    @Completion(VmNameCompleter.class)
    String name;

    /** The named VM; NOT_FOUND with the name when it does not exist. */
    protected VirtualMachine vm() {
        return hypervisor.get(VmName.of(name));
    }
}
