package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmStatus;

/** Lists VMs with their state and record/replay progress. */
@Command(scope = "desk", name = "vm-list", description = "Lists desktop VMs")
@Service
public class VmListCommand implements Action {

    @Reference
    Hypervisor hypervisor;

    @Option(name = "--no-format", description = "Plain tab-separated output without borders")
    boolean noFormat;

    @Override
    public Object execute() {
        if (noFormat) {
            // One VM per line, tab-separated, no padding: stable for scripts.
            System.out.println("Name\tState\tMode\tIcount\tLog bytes\tUptime\tWorkload\tVNC");
            for (VirtualMachine vm : hypervisor.list()) {
                System.out.println(String.join("\t", row(vm.status())));
            }
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("State");
        table.column("Mode");
        table.column("Icount").alignRight();
        table.column("Log bytes").alignRight();
        table.column("Uptime").alignRight();
        table.column("Workload");
        table.column("VNC");
        for (VirtualMachine vm : hypervisor.list()) {
            table.addRow().addContent((Object[]) row(vm.status()));
        }
        table.print(System.out);
        return null;
    }

    private static String[] row(VmStatus s) {
        return new String[] {s.name().value(), s.state().name(), s.mode().name().toLowerCase(),
            s.icount().isPresent() ? Long.toString(s.icount().getAsLong()) : "-", Long.toString(s.logBytes()),
            Formats.duration(s.uptime()), s.workload(), s.vncAddress().orElse("-")};
    }
}
