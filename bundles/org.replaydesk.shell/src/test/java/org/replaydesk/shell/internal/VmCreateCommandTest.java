package org.replaydesk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmSpec;

/** Commands are POJOs: build one, set its fields as the shell would, call execute(). */
class VmCreateCommandTest {

    private final AtomicReference<VmSpec> created = new AtomicReference<>();

    private Hypervisor recordingHypervisor() {
        return (Hypervisor) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Hypervisor.class}, (p, m, args) -> {
            if (m.getName().equals("create")) {
                VmSpec spec = (VmSpec) args[0];
                created.set(spec);
                return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {VirtualMachine.class},
                        (vp, vm, vargs) -> vm.getName().equals("name") ? spec.name() : null);
            }
            throw new AssertionError("unexpected call " + m.getName());
        });
    }

    @Test
    void optionsBecomeTheSpec() {
        VmCreateCommand cmd = new VmCreateCommand();
        cmd.hypervisor = recordingHypervisor();
        cmd.name = "desk1";
        cmd.memoryMb = 512;
        cmd.workload = "video";
        cmd.noRecord = true;
        cmd.network = true;
        cmd.execute();
        VmSpec spec = created.get();
        assertEquals(VmName.of("desk1"), spec.name());
        assertEquals(512, spec.memoryMb());
        assertEquals("video", spec.workload());
        assertEquals(RecordReplayMode.NONE, spec.mode());
        assertTrue(spec.network());
    }

    @Test
    void kernelPathsAreMadeAbsolute() {
        VmCreateCommand cmd = new VmCreateCommand();
        cmd.hypervisor = recordingHypervisor();
        cmd.name = "k";
        cmd.kernel = "vmlinuz";
        cmd.append = "loglevel=3";
        cmd.execute();
        assertEquals(Path.of("vmlinuz").toAbsolutePath(), created.get().boot().kernel().orElseThrow());
        assertEquals("loglevel=3", created.get().boot().kernelArgs());
    }

    @Test
    void kernelAndImageTogetherAreRejectedBeforeAnythingIsCreated() {
        VmCreateCommand cmd = new VmCreateCommand();
        cmd.hypervisor = recordingHypervisor();
        cmd.name = "x";
        cmd.kernel = "/k";
        cmd.image = "/d.qcow2";
        ReplayDeskException e = assertThrows(ReplayDeskException.class, cmd::execute);
        assertEquals("Give either --kernel or --image, not both", e.getMessage());
        assertEquals(null, created.get());
    }

    @Test
    void viewerHintNamesPortAndDisplay() {
        assertEquals(". VNC at 127.0.0.1:5903 (vncviewer 127.0.0.1::5903, or display 127.0.0.1:3)",
                VmStartCommand.viewerHint("127.0.0.1:5903"));
    }
}
