package org.replaydesk.shell.internal;

import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.BootSource;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmSpec;

/** Defines a new desktop VM; it starts recording by default. */
@Command(scope = "desk", name = "vm-create", description = "Defines a desktop VM (demo guest, recording, by default)")
@Service
public class VmCreateCommand implements Action {

    @Reference
    Hypervisor hypervisor;

    @Argument(index = 0, name = "name", required = true, description = "VM name: lower-case letters, digits, '.', '_', '-'")
    String name;

    @Option(name = "--memory", aliases = "-m", description = "Guest RAM in MiB (64-16384)")
    int memoryMb = VmSpec.DEFAULT_MEMORY_MB;

    @Option(name = "--workload", aliases = "-w", description = "Initial workload of the demo guest")
    @Completion(WorkloadCompleter.class)
    String workload = VmSpec.DEFAULT_WORKLOAD;

    @Option(name = "--no-record", description = "Run without record/replay (nobody can replay it)")
    boolean noRecord;

    @Option(name = "--network", aliases = "-n", description = "Give the VM user-mode networking (recorded into the log)")
    boolean network;

    @Option(name = "--kernel", description = "Boot this kernel instead of the demo guest's")
    String kernel;

    @Option(name = "--initrd", description = "Initrd for --kernel")
    String initrd;

    @Option(name = "--append", description = "Extra kernel command-line arguments")
    String append = "";

    @Option(name = "--image", description = "Boot this disk image (raw or qcow2; used read-only under a per-VM overlay)")
    String image;

    @Override
    public Object execute() {
        if (kernel != null && image != null) {
            throw ReplayDeskException.invalid("Give either --kernel or --image, not both");
        }
        if (initrd != null && kernel == null) {
            throw ReplayDeskException.invalid("--initrd needs --kernel");
        }
        BootSource boot = BootSource.demoGuest();
        if (kernel != null) {
            boot = BootSource.kernel(Path.of(kernel).toAbsolutePath(), initrd == null ? null : Path.of(initrd).toAbsolutePath(), append);
        } else if (image != null) {
            boot = BootSource.disk(Path.of(image).toAbsolutePath());
        } else if (!append.isBlank()) {
            boot = new BootSource(boot.kernel(), boot.initrd(), append, boot.diskImage());
        }
        VmSpec spec = VmSpec.builder(VmName.of(name)).memoryMb(memoryMb).workload(workload)
                .mode(noRecord ? RecordReplayMode.NONE : RecordReplayMode.RECORD).network(network).boot(boot).build();
        VirtualMachine vm = hypervisor.create(spec);
        System.out.println("VM " + vm.name() + " created (" + spec.memoryMb() + " MiB, workload " + spec.workload() + ", "
                + spec.mode().name().toLowerCase() + "). Start it with: desk:vm-start " + vm.name());
        return null;
    }
}
