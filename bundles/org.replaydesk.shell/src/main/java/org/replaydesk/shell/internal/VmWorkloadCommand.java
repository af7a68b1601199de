package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Switches the demo guest's workload at run time (no reboot). */
@Command(scope = "desk", name = "vm-workload", description = "Switches a running demo VM to another workload")
@Service
public class VmWorkloadCommand extends VmCommand {

    @Argument(index = 1, name = "workload", required = true, description = "anim, video, type, idle, net or cpu")
    @Completion(WorkloadCompleter.class)
    String workload;

    @Override
    public Object execute() {
        vm().switchWorkload(workload);
        System.out.println("VM " + name + " now runs workload " + workload);
        return null;
    }
}
