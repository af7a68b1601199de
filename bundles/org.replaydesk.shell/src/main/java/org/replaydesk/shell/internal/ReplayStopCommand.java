package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.replay.ReplayService;

/** Stops a replay session and removes its replayer. */
@Command(scope = "desk", name = "replay-stop",
        description = "Stops replaying a VM: stops and deletes the replayer, closes the log stream, unmounts the helper")
@Service
public class ReplayStopCommand implements Action {

    @Reference
    ReplayService replay;

    @Argument(index = 0, name = "vm", required = true, description = "The recording VM")
    String vm;

    @Override
    public Object execute() {
        if (!replay.stop(VmName.of(vm))) {
            throw ReplayDeskException.notFound("No replay session of VM " + vm + " on this host");
        }
        System.out.println("Replay of " + vm + " stopped");
        return null;
    }
}
