package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.hypervisor.SnapshotResult;

/** Snapshots a running VM and reports the stall the guest saw. */
@Command(scope = "desk", name = "vm-snapshot", description = "Snapshots a running VM (savevm) and prints the stall it caused")
@Service
public class VmSnapshotCommand extends VmCommand {

    @Argument(index = 1, name = "tag", required = true, description = "Snapshot tag")
    String tag;

    @Override
    public Object execute() {
        SnapshotResult r = vm().snapshot(SnapshotTag.of(tag));
        System.out.println(String.format("Snapshot %s of %s at icount %d: stall %d ms (%d attempt%s, %d ms in all)", r.tag(), name,
                r.icount(), r.stall().toMillis(), r.attempts(), r.attempts() == 1 ? "" : "s", r.total().toMillis()));
        return null;
    }
}
