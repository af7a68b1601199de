package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Pauses a VM and prints its instruction count (the point a replay can be stopped at). */
@Command(scope = "desk", name = "vm-pause", description = "Pauses a VM and prints its icount")
@Service
public class VmPauseCommand extends VmCommand {

    @Override
    public Object execute() {
        long icount = vm().pause();
        System.out.println("VM " + name + " paused" + (icount >= 0 ? " at icount " + icount : ""));
        return null;
    }
}
