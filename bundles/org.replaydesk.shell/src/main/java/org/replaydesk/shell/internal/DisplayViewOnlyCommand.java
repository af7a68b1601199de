package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Makes one viewer view-only, or gives it control back. */
@Command(scope = "desk", name = "display-viewonly",
        description = "Makes a viewer of a VM's display view-only (its keyboard and pointer are ignored)")
@Service
public class DisplayViewOnlyCommand extends DisplayCommand {

    @Argument(index = 1, name = "viewer", required = true, description = "Viewer id (desk:display-viewers VM)")
    String viewer;

    @Option(name = "--off", description = "Give the viewer control again")
    boolean off;

    @Override
    public Object execute() {
        displays.setViewOnly(vmWithDisplay(), viewer, !off);
        System.out.println("viewer " + viewer + " of " + name + (off ? " controls the desktop" : " is view-only"));
        return null;
    }
}
