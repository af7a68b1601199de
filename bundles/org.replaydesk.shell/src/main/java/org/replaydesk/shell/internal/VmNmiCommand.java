package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * Sends a VM a non-maskable interrupt (the NMI button): a hung Linux guest prints its state on its console. In a
 * replayer it makes the replay diverge, which is how the rejoin of a diverged replay can be seen by hand.
 */
@Command(scope = "desk", name = "vm-nmi", description = "Sends a VM a non-maskable interrupt (NMI)")
@Service
public class VmNmiCommand extends VmCommand {

    @Override
    public Object execute() {
        vm().injectNmi();
        System.out.println("NMI sent to VM " + name);
        return null;
    }
}
