package org.replaydesk.shell.internal;

import java.util.Optional;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.VirtualMachine;

/** Defines a VM that replays another VM's record log, from power-on or from one of its snapshots. */
@Command(scope = "desk", name = "vm-replay", description = "Defines a VM replaying another VM's record log")
@Service
public class VmReplayCommand extends VmCommand {

    @Argument(index = 1, name = "replayer", required = true, description = "Name of the new replaying VM")
    String replayer;

    @Option(name = "--snapshot", aliases = "-s", description = "Start from this snapshot of the recorder instead of power-on")
    String snapshot;

    @Override
    public Object execute() {
        VirtualMachine vm = hypervisor.createReplayOf(VmName.of(name), VmName.of(replayer),
                Optional.ofNullable(snapshot).map(SnapshotTag::of));
        System.out.println("VM " + vm.name() + " replays " + name + (snapshot == null ? " from power-on" : " from snapshot " + snapshot)
                + ". Start it with: desk:vm-start " + vm.name());
        return null;
    }
}
