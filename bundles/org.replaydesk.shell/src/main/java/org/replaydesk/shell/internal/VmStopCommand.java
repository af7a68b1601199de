package org.replaydesk.shell.internal;

import java.time.Duration;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.hypervisor.VirtualMachine;

/** Stops a VM (QEMU quits and finalises the record log; killed after the timeout). */
@Command(scope = "desk", name = "vm-stop", description = "Stops a desktop VM")
@Service
public class VmStopCommand extends VmCommand {

    @Option(name = "--timeout", aliases = "-t", description = "Seconds to wait before killing QEMU")
    int timeoutSeconds = 20;

    @Override
    public Object execute() {
        VirtualMachine vm = vm();
        vm.stop(Duration.ofSeconds(Math.max(1, timeoutSeconds)));
        System.out.println("VM " + vm.name() + " is " + vm.state());
        return null;
    }
}
