package org.replaydesk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.snapshot.BackingImage;
import org.replaydesk.snapshot.SnapshotInfo;
import org.replaydesk.snapshot.SnapshotPhase;
import org.replaydesk.snapshot.SnapshotProgress;
import org.replaydesk.snapshot.SnapshotService;
import org.replaydesk.snapshot.SnapshotTrigger;

class SnapshotCommandsTest {

    private static final VmName VM = VmName.of("desk1");
    private static final SnapshotInfo RD1 = new SnapshotInfo(VM, SnapshotTag.of("rd-1"), SnapshotTrigger.BOOT,
            Instant.parse("2026-11-22T08:00:00Z"), 6_112_346_870L, 8_736_780, Duration.ofMillis(199), "desk1-rd-1",
            89_325_709, Optional.of(new BackingImage("base-74f536a66710ad5e", "raw")));
    private static final SnapshotInfo RD2 = new SnapshotInfo(VM, SnapshotTag.of("rd-2"), SnapshotTrigger.REQUEST,
            Instant.parse("2026-11-22T08:00:03.5Z"), 6_853_346_933L, 8_790_028, Duration.ofMillis(211), "desk1-rd-2",
            179_306_781, Optional.empty());

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream original;

    @BeforeEach
    void captureOut() {
        original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOut() {
        System.setOut(original);
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    private static SnapshotService service(List<SnapshotInfo> list) {
        return new SnapshotService() {
            @Override
            public SnapshotInfo take(VmName vm, SnapshotTrigger trigger, SnapshotProgress progress) {
                progress.progress(SnapshotPhase.SAVE, 0, 0);
                progress.progress(SnapshotPhase.EXPORT_IMAGE, 0, 0);
                progress.progress(SnapshotPhase.EXPORT_IMAGE, 65536, 179_306_781);
                progress.progress(SnapshotPhase.EXPORT_IMAGE, 179_306_781, 179_306_781);
                progress.progress(SnapshotPhase.EXPORT_IMAGE, 179_306_781, 179_306_781);
                progress.progress(SnapshotPhase.EXPORT_BASE, 0, 0);
                progress.progress(SnapshotPhase.EXPORT_BASE, 1, 1);
                progress.progress(SnapshotPhase.PUBLISH, 0, 0);
                progress.progress(SnapshotPhase.PUBLISH, 1, 1);
                return RD2;
            }

            @Override
            public List<SnapshotInfo> list(VmName vm) {
                return vm.equals(VM) ? list : List.of();
            }

            @Override
            public boolean delete(VmName vm, SnapshotTag tag) {
                return false;
            }

            @Override
            public List<VmName> vms() {
                return List.of(VM);
            }
        };
    }

    @Test
    void listPrintsOneRowPerSnapshot() {
        SnapshotListCommand cmd = new SnapshotListCommand();
        cmd.snapshots = service(List.of(RD1, RD2));
        cmd.name = "desk1";
        cmd.execute();
        assertEquals("""
                TAG      TRIGGER  TAKEN (UTC)                  ICOUNT   LOG OFFSET STALL ms IMAGE MiB BASE
                rd-1     BOOT     2026-11-22 08:00:00      6112346870      8736780      199      85.2 base-74f536a66710ad5e (raw)
                rd-2     REQUEST  2026-11-22 08:00:03      6853346933      8790028      211     171.0 -
                """, printed());
        out.reset();
        cmd.name = "other";
        cmd.execute();
        assertEquals("VM other has no snapshots\n", printed());
    }

    @Test
    void takePrintsEachPhaseThenTheResult() {
        SnapshotTakeCommand cmd = new SnapshotTakeCommand();
        cmd.snapshots = service(List.of());
        cmd.name = "desk1";
        cmd.execute();
        String text = printed().replaceAll("(?m)^ *\\d+ ms  ", "");
        assertEquals("""
                SAVE: savevm in the recorder (the guest stalls)
                EXPORT_IMAGE: chunking the image into the store
                EXPORT_IMAGE: 171.0 MiB read
                EXPORT_BASE: the base image (once per base)
                PUBLISH: catalog, and older snapshots beyond the kept number deleted
                Snapshot rd-2 of desk1: icount 6853346933, log offset 8790028, stall 211 ms, image 171.0 MiB
                """, text);
    }
}
