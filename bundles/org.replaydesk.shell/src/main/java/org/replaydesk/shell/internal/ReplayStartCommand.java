package org.replaydesk.shell.internal;

import java.time.Duration;
import java.util.Optional;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.replay.ReplayOptions;
import org.replaydesk.replay.ReplayServer;
import org.replaydesk.replay.ReplayService;
import org.replaydesk.replay.ReplaySession;
import org.replaydesk.replay.ReplayStatus;

/** Starts replaying a recording VM on this host from its newest snapshot and the live record log. */
@Command(scope = "desk", name = "replay-start",
        description = "Replays a recording VM here: pages in its newest snapshot, streams its record log, runs a replayer")
@Service
public class ReplayStartCommand implements Action {

    @Reference
    ReplayService replay;

    @Argument(index = 0, name = "vm", required = true, description = "The recording VM (on the server host)")
    String vm;

    @Option(name = "--server", description = "HOST[:PORT] of the server's record-log streamer (default port 5690; the"
            + " chunk server is at PORT+1). Default: this container")
    String server;

    @Option(name = "--snapshot", description = "Start from this snapshot instead of the newest")
    String snapshot;

    @Option(name = "--fresh", description = "Take a snapshot now (JOIN) and start from it; only for a VM of this host")
    boolean fresh;

    @Option(name = "--no-rejoin", description = "If the replay diverges from the recording (QEMU 7.2 does, rarely),"
            + " leave it stalled instead of rejoining from a new snapshot")
    boolean noRejoin;

    @Option(name = "--wait", description = "Wait up to this many seconds for the replayer to catch up (0: do not wait)")
    int waitSeconds = 120;

    @Override
    public Object execute() {
        ReplayOptions options = new ReplayOptions(Optional.ofNullable(server).map(ReplayServer::parse),
                Optional.ofNullable(snapshot).map(SnapshotTag::of), fresh, !noRejoin);
        long t0 = System.nanoTime();
        ReplaySession s = replay.start(VmName.of(vm), options);
        ReplayStatus st = s.status();
        System.out.println("Replaying " + vm + " in VM " + s.replayer() + " from snapshot " + st.snapshot()
                + " (replayer up after " + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        if (waitSeconds > 0) {
            st = s.awaitLive(Duration.ofSeconds(waitSeconds));
            System.out.println("Live after " + st.startup().map(d -> d.toMillis() + " ms").orElse("?") + ": "
                    + ReplayStatusCommand.summary(st));
        }
        return null;
    }
}
