package org.replaydesk.shell.internal;

import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.VmName;
import org.replaydesk.snapshot.SnapshotInfo;
import org.replaydesk.snapshot.SnapshotPhase;
import org.replaydesk.snapshot.SnapshotProgress;
import org.replaydesk.snapshot.SnapshotService;
import org.replaydesk.snapshot.SnapshotTrigger;

/** Takes a snapshot of a recording VM now and exports it into the chunk store, printing each step. */
@Command(scope = "desk", name = "snapshot-take",
        description = "Snapshots a running recording VM, exports it into the chunk store and publishes it to clients")
@Service
public class SnapshotTakeCommand implements Action {

    @Reference
    SnapshotService snapshots;

    @Argument(index = 0, name = "vm", required = true, description = "VM name")
    @Completion(VmNameCompleter.class)
    String name;

    @Override
    public Object execute() {
        SnapshotInfo s = snapshots.take(VmName.of(name), SnapshotTrigger.REQUEST, new PhasePrinter());
        System.out.printf(Locale.ROOT, "Snapshot %s of %s: icount %d, log offset %d, stall %d ms, image %s%s%n",
                s.tag(), name, s.icount(), s.logOffset(), s.stall().toMillis(), Formats.bytes(s.imageBytes()),
                s.backing().map(b -> " on " + b.imageId()).orElse(""));
        return null;
    }

    /** One line when a step starts, and one when a step with a byte count has read all its bytes. */
    static final class PhasePrinter implements SnapshotProgress {
        private SnapshotPhase current;
        private boolean finished;
        private final long started = System.nanoTime();

        @Override
        public void progress(SnapshotPhase phase, long done, long total) {
            if (phase != current) {
                current = phase;
                finished = false;
                System.out.printf(Locale.ROOT, "%6d ms  %s%n", (System.nanoTime() - started) / 1_000_000,
                        describe(phase));
            }
            if (!finished && total > 1 && done == total) {
                finished = true;
                System.out.printf(Locale.ROOT, "%6d ms  %s: %s read%n", (System.nanoTime() - started) / 1_000_000,
                        phase, Formats.bytes(total));
            }
        }

        private static String describe(SnapshotPhase phase) {
            return switch (phase) {
                case SAVE -> "SAVE: savevm in the recorder (the guest stalls)";
                case EXPORT_IMAGE -> "EXPORT_IMAGE: chunking the image into the store";
                case EXPORT_BASE -> "EXPORT_BASE: the base image (once per base)";
                case PUBLISH -> "PUBLISH: catalog, and older snapshots beyond the kept number deleted";
            };
        }
    }
}
