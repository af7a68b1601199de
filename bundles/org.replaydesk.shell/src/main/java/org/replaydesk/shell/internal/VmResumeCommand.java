package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Resumes a paused VM. */
@Command(scope = "desk", name = "vm-resume", description = "Resumes a paused VM")
@Service
public class VmResumeCommand extends VmCommand {

    @Override
    public Object execute() {
        vm().resume();
        System.out.println("VM " + name + " resumed");
        return null;
    }
}
