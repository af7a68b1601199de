package org.replaydesk.shell.internal;

import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.replay.ReplayService;
import org.replaydesk.replay.ReplaySession;
import org.replaydesk.replay.ReplayStatus;

/** Shows the replay sessions of this host: state, lag behind the recorder, traffic. */
@Command(scope = "desk", name = "replay-status",
        description = "Shows replay sessions: state, lag (instructions and time), caught up, log and chunk traffic")
@Service
public class ReplayStatusCommand implements Action {

    @Reference
    ReplayService replay;

    @Argument(index = 0, name = "vm", required = false, description = "Only this VM's session")
    String vm;

    @Option(name = "--no-format", description = "key=value pairs, one session per line, raw numbers")
    boolean noFormat;

    @Override
    public Object execute() {
        List<ReplaySession> list = vm == null ? replay.sessions()
                : List.of(replay.find(VmName.of(vm)).orElseThrow(
                        () -> ReplayDeskException.notFound("No replay session of VM " + vm + " on this host")));
        if (list.isEmpty()) {
            System.out.println("No replay sessions");
            return null;
        }
        for (ReplaySession s : list) {
            ReplayStatus st = s.status();
            if (noFormat) {
                System.out.println("vm=" + st.vm() + " replayer=" + st.replayer() + " state=" + st.state()
                        + " snapshot=" + st.snapshot() + " serverIcount=" + st.serverIcount() + " clientIcount="
                        + st.clientIcount() + " lagInstructions=" + st.lagInstructions() + " lagMillis="
                        + st.lag().map(d -> Long.toString(d.toMillis())).orElse("-") + " caughtUp=" + st.caughtUp()
                        + " logBytes=" + st.logBytes() + " logWireBytes=" + st.logWireBytes() + " chunkBytes="
                        + st.chunkBytes() + " chunkWireBytes=" + st.chunkWireBytes() + " chunks=" + st.chunksFetched()
                        + " startupMillis="
                        + st.startup().map(d -> Long.toString(d.toMillis())).orElse("-") + " failure="
                        + st.failure().orElse("-").replace(' ', '_') + " stalled=" + st.stall().isPresent()
                        + " rejoined=" + st.rejoin().isPresent());
            } else {
                System.out.println(st.vm() + " -> " + st.replayer() + ": " + summary(st));
                st.failure().ifPresent(f -> System.out.println("  reason: " + f));
                st.stall().ifPresent(w -> System.out.println("  STALLED " + w));
                st.rejoin().ifPresent(w -> System.out.println("  " + w));
            }
        }
        return null;
    }

    static String summary(ReplayStatus st) {
        String lag = st.lagInstructions() < 0 ? "lag unknown"
                : String.format(Locale.ROOT, "lag %,d instructions%s", st.lagInstructions(),
                        st.lag().map(d -> " (" + d.toMillis() + " ms)").orElse(""));
        return st.state() + ", snapshot " + st.snapshot() + ", " + lag + (st.caughtUp() ? ", caught up" : "")
                + ", log " + Formats.bytes(st.logBytes()) + " (" + Formats.bytes(st.logWireBytes()) + " on the wire)"
                + ", chunks " + st.chunksFetched() + " (" + Formats.bytes(st.chunkBytes()) + ", "
                + Formats.bytes(st.chunkWireBytes()) + " on the wire)";
    }
}
