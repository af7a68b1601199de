package org.replaydesk.snapshot.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.pager.Manifest;
import org.replaydesk.pager.internal.FileChunkStore;
import org.replaydesk.snapshot.SnapshotCatalog;
import org.replaydesk.snapshot.SnapshotInfo;
import org.replaydesk.snapshot.SnapshotPhase;
import org.replaydesk.snapshot.SnapshotProgress;
import org.replaydesk.snapshot.SnapshotTrigger;

/**
 * The component without OSGi: a stand-in driver whose VMs have real qcow2 images ({@link FakeHypervisor}) and the
 * pager's real {@link FileChunkStore}.
 */
@Timeout(60)
class SnapshotterServiceTest {

    private static final VmName DESK = VmName.of("desk");

    @TempDir
    Path dir;

    private FakeHypervisor driver;
    private FileChunkStore store;
    private final List<SnapshotterService> services = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        driver = new FakeHypervisor(Files.createDirectories(dir.resolve("vms")));
        store = new FileChunkStore(dir.resolve("store"), 4096);
    }

    @AfterEach
    void tearDown() {
        services.forEach(SnapshotterService::deactivate);
    }

    private SnapshotterService service(boolean boot, int keep) {
        return service(boot, keep, "qemu-img");
    }

    private SnapshotterService service(boolean boot, int keep, String qemuImg) {
        SnapshotterService s = new SnapshotterService(driver.proxy(), store,
                new SnapshotSettings(boot, Duration.ofSeconds(5), Duration.ZERO, keep, qemuImg));
        services.add(s);
        return s;
    }

    private static List<String> tags(List<SnapshotInfo> list) {
        return list.stream().map(s -> s.tag().value()).toList();
    }

    private SnapshotCatalog publishedCatalog() {
        Manifest m = store.manifest(SnapshotCatalog.imageId(DESK)).orElseThrow();
        return SnapshotCatalog.fromJson(SnapshotterService.readImage(store, m, SnapshotCatalog.MAX_BYTES));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aSnapshotsMemoryImageIsExportedListedAndDroppedWithIt() throws Exception {
        FakeHypervisor.Vm vm = driver.add("desk", RecordReplayMode.RECORD);
        Path ram = dir.resolve("memory.ram");
        byte[] bytes = new byte[3 * 65536];
        java.util.Arrays.fill(bytes, 65536, 2 * 65536, (byte) 7);
        Files.write(ram, bytes);
        vm.memoryImage = ram;
        SnapshotterService service = service(false, 1);
        SnapshotInfo first = service.take(DESK, SnapshotTrigger.REQUEST, SnapshotProgress.NONE);
        assertEquals(java.util.Optional.of("desk-rd-1-ram"), first.memoryImageId());
        assertEquals(bytes.length, store.manifest("desk-rd-1-ram").orElseThrow().imageSize());
        assertEquals(first.memoryImageId(), publishedCatalog().snapshots().get(0).memoryImageId());
        SnapshotInfo second = service.take(DESK, SnapshotTrigger.REQUEST, SnapshotProgress.NONE);
        assertEquals(java.util.Optional.of("desk-rd-2-ram"), second.memoryImageId());
        assertTrue(store.manifest("desk-rd-1-ram").isEmpty(), "the dropped snapshot's memory left the store");
        assertTrue(store.manifest("desk-rd-2-ram").isPresent());
    }

    @Test
    void keepsTheNewestAndNumbersTagsUpwards() throws Exception {
        FakeHypervisor.Vm vm = driver.add("desk", RecordReplayMode.RECORD);
        SnapshotterService service = service(false, 2);
        List<String> phases = new ArrayList<>();
        SnapshotProgress progress = (phase, done, total) -> {
            if (phases.isEmpty() || !phases.get(phases.size() - 1).equals(phase.name())) {
                phases.add(phase.name());
            }
        };
        SnapshotInfo first = service.take(DESK, SnapshotTrigger.REQUEST, progress);
        assertEquals(List.of("SAVE", "EXPORT_IMAGE", "EXPORT_BASE", "PUBLISH"), phases);
        assertEquals("rd-1", first.tag().value());
        assertEquals(4, first.logOffset(), "the log size before savevm");
        assertEquals(6_000_000, first.icount());
        assertEquals(7, first.stall().toMillis());
        assertEquals("desk-rd-1", first.imageId());
        String base = first.backing().orElseThrow().imageId();
        assertTrue(base.matches("base-[0-9a-f]{16}"), base);
        assertEquals("raw", first.backing().get().format());
        assertEquals(512 * 1024, store.manifest(base).orElseThrow().imageSize());

        service.take(DESK, SnapshotTrigger.REQUEST, SnapshotProgress.NONE);
        SnapshotInfo third = service.take(DESK, SnapshotTrigger.JOIN, SnapshotProgress.NONE);
        assertEquals(1004 + 1000, third.logOffset());
        assertEquals(List.of("rd-2", "rd-3"), tags(service.list(DESK)));
        assertEquals(third, service.newest(DESK).orElseThrow());
        assertEquals(List.of("rd-2", "rd-3"), vm.tagsInImage(), "rd-1 deleted from the qcow2");
        assertTrue(store.manifest("desk-rd-1").isEmpty(), "rd-1's image left the store");
        assertTrue(store.manifest("desk-rd-3").isPresent());
        assertEquals(Files.size(vm.disk), store.manifest("desk-rd-3").get().imageSize());
        assertTrue(store.manifest(base).isPresent(), "the base stays: other snapshots use it");
        assertEquals(service.list(DESK), publishedCatalog().snapshots());
        assertEquals(List.of(DESK), service.vms());

        assertTrue(service.delete(DESK, SnapshotTag.of("rd-2")));
        assertFalse(service.delete(DESK, SnapshotTag.of("rd-2")));
        assertEquals(List.of("rd-3"), vm.tagsInImage());
        assertEquals(List.of("rd-3"), tags(publishedCatalog().snapshots()));
    }

    @Test
    void catalogsSurviveARestartAndNumberingContinues() {
        driver.add("desk", RecordReplayMode.RECORD);
        SnapshotterService first = service(false, 3);
        first.take(DESK, SnapshotTrigger.REQUEST, SnapshotProgress.NONE);
        first.take(DESK, SnapshotTrigger.REQUEST, SnapshotProgress.NONE);
        List<SnapshotInfo> before = first.list(DESK);
        first.deactivate();
        services.remove(first);

        SnapshotterService second = service(false, 3);
        assertEquals(before, second.list(DESK));
        assertEquals("rd-3", second.take(DESK, SnapshotTrigger.REQUEST, SnapshotProgress.NONE).tag().value());
        assertEquals(List.of("rd-1", "rd-2", "rd-3"), tags(second.list(DESK)));
        assertEquals(List.of(), second.list(VmName.of("other")));
    }

    @Test
    void aNewRecordingDropsTheOldSnapshotsAndTakesABootSnapshotOnceReady() throws Exception {
        FakeHypervisor.Vm vm = driver.add("desk", RecordReplayMode.RECORD);
        SnapshotterService service = service(true, 3);
        await(() -> service.list(DESK).size() == 1, "the BOOT snapshot of the VM running at activation");
        assertEquals(SnapshotTrigger.BOOT, service.list(DESK).get(0).trigger());
        service.take(DESK, SnapshotTrigger.REQUEST, SnapshotProgress.NONE);
        assertEquals(List.of("rd-1", "rd-2"), vm.tagsInImage());

        vm.fire(VmState.STOPPING);
        vm.fire(VmState.STOPPED);
        Thread.sleep(200);
        assertEquals(List.of("rd-1", "rd-2"), tags(service.list(DESK)), "a stopped VM keeps its catalog");
        assertEquals(Status.CONFLICT, assertThrows(ReplayDeskException.class,
                () -> service.take(DESK, SnapshotTrigger.REQUEST, SnapshotProgress.NONE)).status());

        vm.ready = false;
        vm.fire(VmState.STARTING);
        await(() -> service.list(DESK).isEmpty() && store.manifest("desk-rd-2").isEmpty(),
                "the old recording's snapshots to be dropped");
        assertTrue(publishedCatalog().snapshots().isEmpty(), "an empty catalog is published");
        assertTrue(store.manifest("desk-rd-1").isEmpty() && store.manifest("desk-rd-2").isEmpty());
        assertEquals(List.of("rd-1", "rd-2"), vm.tagsInImage(), "delvm needs a running VM");

        vm.ready = true;
        vm.fire(VmState.RUNNING);
        await(() -> service.list(DESK).size() == 1, "the new recording's BOOT snapshot");
        SnapshotInfo boot = service.list(DESK).get(0);
        assertEquals(SnapshotTrigger.BOOT, boot.trigger());
        assertEquals("rd-3", boot.tag().value(), "numbers keep rising, so a stale tag is never reused");
        assertEquals(List.of("rd-3"), vm.tagsInImage(), "the stale tags left the qcow2 once it ran");

        // pause and resume is the same recording: nothing is dropped
        vm.fire(VmState.PAUSED);
        vm.fire(VmState.RUNNING);
        Thread.sleep(300);
        assertEquals(List.of("rd-3"), tags(service.list(DESK)));
    }

    @Test
    void onlyRunningRecordersAreSnapshotted() {
        driver.add("plain", RecordReplayMode.NONE);
        driver.add("desk", RecordReplayMode.RECORD).state = VmState.STOPPED;
        SnapshotterService service = service(false, 3);
        ReplayDeskException plain = assertThrows(ReplayDeskException.class,
                () -> service.take(VmName.of("plain"), SnapshotTrigger.REQUEST, SnapshotProgress.NONE));
        assertEquals(Status.INVALID_ARGUMENT, plain.status());
        assertEquals("VM 'plain' does not record (mode NONE): only a recording VM's snapshots can be replayed",
                plain.getMessage());
        ReplayDeskException stopped = assertThrows(ReplayDeskException.class,
                () -> service.take(DESK, SnapshotTrigger.REQUEST, SnapshotProgress.NONE));
        assertEquals(Status.CONFLICT, stopped.status());
        assertEquals("VM 'desk' is STOPPED: start it before taking a snapshot", stopped.getMessage());
        assertEquals(Status.NOT_FOUND, assertThrows(ReplayDeskException.class,
                () -> service.take(VmName.of("nope"), SnapshotTrigger.REQUEST, SnapshotProgress.NONE)).status());
        assertTrue(service.vms().isEmpty());
    }

    @Test
    void aFailedExportNamesThePhaseAndLeavesNothingBehind() throws Exception {
        FakeHypervisor.Vm vm = driver.add("desk", RecordReplayMode.RECORD);
        service(false, 3).take(DESK, SnapshotTrigger.REQUEST, SnapshotProgress.NONE);
        services.remove(0).deactivate();
        SnapshotterService service = service(false, 3, "/nonexistent/qemu-img");
        ReplayDeskException e = assertThrows(ReplayDeskException.class,
                () -> service.take(DESK, SnapshotTrigger.REQUEST, SnapshotProgress.NONE));
        assertEquals(Status.FAILED, e.status());
        assertEquals("snapshot rd-2 of VM 'desk' failed at EXPORT_BASE: cannot run /nonexistent/qemu-img (install "
                + "Debian's qemu-utils, or set qemu.img.binary): Cannot run program \"/nonexistent/qemu-img\": "
                + "error=2, No such file or directory", e.getMessage());
        assertEquals(List.of("rd-1"), vm.tagsInImage());
        assertTrue(store.manifest("desk-rd-2").isEmpty());
        assertEquals(List.of("rd-1"), tags(service.list(DESK)));
    }

    /** A configuration with the annotation's defaults, overridden by {@code values} (keys are method names). */
    static SnapshotConfiguration config(Map<String, Object> values) {
        return (SnapshotConfiguration) Proxy.newProxyInstance(SnapshotConfiguration.class.getClassLoader(),
                new Class<?>[] {SnapshotConfiguration.class}, (proxy, method, args) -> values.containsKey(
                        method.getName()) ? values.get(method.getName()) : method.getDefaultValue());
    }

    private static String refused(Map<String, Object> values) {
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> SnapshotSettings.of(config(values)));
        assertEquals(Status.INVALID_ARGUMENT, e.status());
        return e.getMessage();
    }

    @Test
    void configurationDefaultsAndBadValues() {
        SnapshotSettings s = SnapshotSettings.of(config(Map.of()));
        assertEquals(new SnapshotSettings(true, Duration.ofSeconds(180), Duration.ofSeconds(300), 3, "qemu-img"), s);
        assertEquals(Duration.ZERO, SnapshotSettings.of(config(Map.of("period_seconds", 0L))).period());
        assertEquals("keep 0 is outside 1-100 (a client needs at least one snapshot)",
                refused(Map.of("keep", 0)));
        assertEquals("period.seconds -5 is outside 0-604800 (0 turns periodic snapshots off)",
                refused(Map.of("period_seconds", -5L)));
        assertEquals("qemu.img.binary is empty; name the qemu-img program (default qemu-img)",
                refused(Map.of("qemu_img_binary", " ")));
        assertThrows(ReplayDeskException.class,
                () -> new SnapshotterService(driver.proxy(), store, config(Map.of("keep", -1))));
    }
}
