package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Types text on the VM's keyboard through QMP input events (recorded into the log). */
@Command(scope = "desk", name = "vm-type", description = "Types text on a VM's keyboard")
@Service
public class VmTypeCommand extends VmCommand {

    @Argument(index = 1, name = "text", required = true, description = "Text to type; quote it if it has spaces")
    String text;

    @Option(name = "--enter", aliases = "-e", description = "Press Enter after the text")
    boolean enter;

    @Override
    public Object execute() {
        String all = enter ? text + "\n" : text;
        vm().typeText(all);
        System.out.println("Typed " + all.length() + " key" + (all.length() == 1 ? "" : "s") + " on " + name);
        return null;
    }
}
