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
                + s.vncAddress().map(a -> ". View it with a VNC viewer at " + a).orElse(""));
        return null;
    }
}
