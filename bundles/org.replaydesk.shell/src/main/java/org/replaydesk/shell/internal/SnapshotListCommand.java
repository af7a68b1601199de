package org.replaydesk.shell.internal;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.VmName;
import org.replaydesk.snapshot.SnapshotInfo;
import org.replaydesk.snapshot.SnapshotService;

/** Lists a recording VM's kept snapshots, oldest first, as replay clients see them in its catalog. */
@Command(scope = "desk", name = "snapshot-list",
        description = "Lists a VM's kept snapshots: tag, trigger, time, icount, log offset, stall, image size, base")
@Service
public class SnapshotListCommand implements Action {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Reference
    SnapshotService snapshots;

    @Argument(index = 0, name = "vm", required = true, description = "VM name")
    @Completion(VmNameCompleter.class)
    String name;

    @Override
    public Object execute() {
        List<SnapshotInfo> list = snapshots.list(VmName.of(name));
        if (list.isEmpty()) {
            System.out.println("VM " + name + " has no snapshots");
            return null;
        }
        String row = "%-8s %-8s %-19s %15s %12s %8s %9s %s%n";
        System.out.printf(Locale.ROOT, row, "TAG", "TRIGGER", "TAKEN (UTC)", "ICOUNT", "LOG OFFSET", "STALL ms",
                "IMAGE MiB", "BASE");
        for (SnapshotInfo s : list) {
            System.out.printf(Locale.ROOT, row, s.tag(), s.trigger(), TIME.format(s.takenAt()), s.icount(),
                    s.logOffset(), s.stall().toMillis(), String.format(Locale.ROOT, "%.1f", s.imageBytes() / 1048576.0),
                    s.backing().map(b -> b.imageId() + " (" + b.format() + ")").orElse("-"));
        }
        return null;
    }
}
