package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmSpec;
import org.replaydesk.api.hypervisor.VmStatus;

/** Shows one VM's definition, status, files and, for a failed VM, why it failed. */
@Command(scope = "desk", name = "vm-info", description = "Shows a VM's definition, status and failure reason")
@Service
public class VmInfoCommand extends VmCommand {

    @Override
    public Object execute() {
        VirtualMachine vm = vm();
        VmSpec spec = vm.spec();
        VmStatus s = vm.status();
        ShellTable table = new ShellTable();
        table.column("Property");
        table.column("Value");
        table.addRow().addContent("Name", spec.name());
        table.addRow().addContent("State", s.state());
        s.failureReason().ifPresent(r -> table.addRow().addContent("Failure", r));
        table.addRow().addContent("Mode", spec.mode().name().toLowerCase());
        table.addRow().addContent("Memory", spec.memoryMb() + " MiB");
        table.addRow().addContent("Workload", s.workload());
        table.addRow().addContent("Network", spec.network() ? "user-mode" : "none");
        table.addRow().addContent("Icount", s.icount().isPresent() ? Long.toString(s.icount().getAsLong()) : "-");
        table.addRow().addContent("Record log", vm.recordLog() + " (" + Formats.bytes(s.logBytes()) + ")");
        table.addRow().addContent("Disk", vm.diskImage());
        spec.replaySource().flatMap(r -> r.snapshot()).ifPresent(t -> table.addRow().addContent("Replays from", t));
        table.addRow().addContent("Uptime", Formats.duration(s.uptime()));
        table.addRow().addContent("VNC", s.vncAddress().orElse("-"));
        table.print(System.out);
        return null;
    }
}
