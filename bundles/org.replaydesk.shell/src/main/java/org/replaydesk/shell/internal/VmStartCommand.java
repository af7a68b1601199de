package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmStatus;

/** Starts a VM's QEMU process. */
@Command(scope = "desk", name = "vm-start", description = "Starts a desktop VM")
@Service
public class VmStartCommand extends VmCommand {

    @Override
    public Object execute() {
        VirtualMachine vm = vm();
        vm.start();
        VmStatus s = vm.status();
        System.out.println("VM " + vm.name() + " is " + s.state() + " (" + s.mode().name().toLowerCase() + ")"
                + s.vncAddress().map(VmStartCommand::viewerHint).orElse(""));
        return null;
    }

    /** VNC viewers disagree on host:N (display or port), so name both forms. */
    static String viewerHint(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        return ". VNC at " + hostPort + " (vncviewer " + host + "::" + port + ", or display " + host + ":" + (port - 5900) + ")";
    }
}
