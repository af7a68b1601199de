package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Disconnects one viewer of a display. */
@Command(scope = "desk", name = "display-disconnect", description = "Disconnects a viewer from a VM's display")
@Service
public class DisplayDisconnectCommand extends DisplayCommand {

    @Argument(index = 1, name = "viewer", required = true, description = "Viewer id (desk:display-viewers VM)")
    String viewer;

    @Override
    public Object execute() {
        displays.disconnect(vmWithDisplay(), viewer);
        System.out.println("viewer " + viewer + " of " + name + " disconnected");
        return null;
    }
}
