package org.replaydesk.hypervisor.qemu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.VmEvent;
import org.replaydesk.api.hypervisor.VmSpec;
import org.replaydesk.api.hypervisor.VmState;

/** Definitions, persistence and error paths of the driver, with the real qemu-img and no VM process. */
class QemuHypervisorTest {

    @TempDir
    Path tmp;

    private QemuHypervisor driver;

    @BeforeEach
    void guest() throws Exception {
        Path guest = Files.createDirectories(tmp.resolve("guest"));
        Files.write(guest.resolve("vmlinuz"), new byte[] {1});
        Files.write(guest.resolve("initrd.gz"), new byte[] {2});
        Files.write(guest.resolve("video.raw"), new byte[1 << 20]);
        driver = activate("qemu-system-x86_64");
    }

    @AfterEach
    void stop() {
        driver.deactivate();
    }

    private QemuHypervisor activate(String qemu) throws Exception {
        QemuHypervisor d = new QemuHypervisor();
        d.activate(new QemuSettings(qemu, "qemu-img", tmp.resolve("guest"), tmp.resolve("state"),
                tmp.resolve("sock"), 0, 0, Duration.ofSeconds(5)));
        return d;
    }

    @Test
    void createWritesTheDefinitionAndAnOverlayOverTheVideoDisk() throws Exception {
        List<VmEvent> events = new ArrayList<>();
        driver.addListener(events::add);
        driver.create(VmSpec.builder(VmName.of("demo")).memoryMb(512).workload("video").build());
        Path dir = tmp.resolve("state/demo");
        assertTrue(Files.isRegularFile(dir.resolve("vm.json")));
        Process info = new ProcessBuilder("qemu-img", "info", dir.resolve("disk.qcow2").toString()).redirectErrorStream(true).start();
        String out = new String(info.getInputStream().readAllBytes());
        assertTrue(out.contains("backing file: " + tmp.resolve("guest/video.raw")), out);
        assertEquals("defined", events.get(0).reason());
    }

    @Test
    void definitionsSurviveANewDriverInstanceAndDamagedOnesAreSkipped() throws Exception {
        driver.create(VmSpec.builder(VmName.of("a")).memoryMb(128).build());
        driver.create(VmSpec.builder(VmName.of("b")).workload("idle").build());
        Files.createDirectories(tmp.resolve("state/broken"));
        Files.writeString(tmp.resolve("state/broken/vm.json"), "{not json");
        driver.deactivate();
        driver = activate("qemu-system-x86_64");
        assertEquals(List.of("a", "b"), driver.list().stream().map(vm -> vm.name().value()).toList());
        assertEquals(128, driver.get(VmName.of("a")).spec().memoryMb());
        assertEquals(VmState.STOPPED, driver.get(VmName.of("a")).state());
    }

    @Test
    void badRequestsChangeNothing() {
        driver.create(VmSpec.builder(VmName.of("a")).build());
        assertEquals(Status.CONFLICT, assertThrows(ReplayDeskException.class,
                () -> driver.create(VmSpec.builder(VmName.of("a")).build())).status());
        assertEquals(Status.INVALID_ARGUMENT, assertThrows(ReplayDeskException.class,
                () -> driver.create(VmSpec.builder(VmName.of("c")).workload("dance").build())).status());
        assertEquals(Status.NOT_FOUND, assertThrows(ReplayDeskException.class, () -> driver.get(VmName.of("zz"))).status());
        ReplayDeskException noLog = assertThrows(ReplayDeskException.class,
                () -> driver.createReplayOf(VmName.of("a"), VmName.of("r"), Optional.empty()));
        assertEquals(Status.UNAVAILABLE, noLog.status());
        assertTrue(noLog.getMessage().contains("has no record log yet"), noLog.getMessage());
        assertFalse(Files.exists(tmp.resolve("state/c")));
        assertFalse(Files.exists(tmp.resolve("state/r")));
        assertEquals(1, driver.list().size());
    }

    @Test
    void missingDemoGuestNamesTheBuildCommand() throws Exception {
        Files.delete(tmp.resolve("guest/vmlinuz"));
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> driver.create(VmSpec.builder(VmName.of("a")).build()));
        assertEquals(Status.UNAVAILABLE, e.status());
        assertTrue(e.getMessage().contains("mvn -pl native-hooks package"), e.getMessage());
    }

    @Test
    void startWithoutQemuSaysWhatToInstallAndLeavesTheVmStopped() throws Exception {
        driver.deactivate();
        driver = activate("/nonexistent/qemu-system-x86_64");
        driver.create(VmSpec.builder(VmName.of("a")).build());
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> driver.get(VmName.of("a")).start());
        assertEquals("QEMU is not installed: '/nonexistent/qemu-system-x86_64' was not found. Install it with: apt-get install qemu-system-x86",
                e.getMessage());
        assertEquals(VmState.STOPPED, driver.get(VmName.of("a")).state());
    }

    @Test
    void deleteRemovesTheFolder() {
        driver.create(VmSpec.builder(VmName.of("a")).build());
        driver.delete(VmName.of("a"));
        assertFalse(Files.exists(tmp.resolve("state/a")));
        assertTrue(driver.find(VmName.of("a")).isEmpty());
    }
}
