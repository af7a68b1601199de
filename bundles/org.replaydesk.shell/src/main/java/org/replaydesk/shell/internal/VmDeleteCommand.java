package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.VmName;

/** Deletes a stopped VM and its files (disk overlay, record log, snapshots). */
@Command(scope = "desk", name = "vm-delete", description = "Deletes a stopped desktop VM and its files")
@Service
public class VmDeleteCommand extends VmCommand {

    @Override
    public Object execute() {
        hypervisor.delete(VmName.of(name));
        System.out.println("VM " + name + " deleted");
        return null;
    }
}
