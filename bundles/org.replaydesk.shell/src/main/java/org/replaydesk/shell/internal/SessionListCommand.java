package org.replaydesk.shell.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.session.SessionInfo;
import org.replaydesk.api.session.SessionService;

/** Lists sessions: mode, time in mode, traffic per mode, lag, switches. */
@Command(scope = "desk", name = "session-list",
        description = "Lists sessions: mode, time in mode, traffic per mode (so far and now), lag, switches, viewers")
@Service
public class SessionListCommand implements Action {

    // Optional: without it Karaf would hold back every desk command until a session service appears.
    @Reference(optional = true)
    SessionService sessions;

    @Option(name = "--no-format", description = "key=value pairs, one session per line, raw numbers")
    boolean noFormat;

    @Override
    public Object execute() {
        SessionService sessions = Sessions.required(this.sessions);
        List<SessionInfo> list = sessions.sessions();
        if (list.isEmpty()) {
            System.out.println("No sessions");
            return null;
        }
        Instant now = Instant.now();
        if (!noFormat) {
            System.out.printf(Locale.ROOT, "%-4s %-14s %-12s %8s %-9s %10s %10s %9s %9s %7s %4s %3s  %s%n", "ID",
                    "VM", "MODE", "IN MODE", "REQUEST", "DISPLAY", "REPLAY", "DISP/s", "REPL/s", "LAG", "SW",
                    "VWR", "VIEWERS AT");
        }
        for (SessionInfo s : list) {
            Duration inMode = Duration.between(s.since(), now);
            if (noFormat) {
                System.out.println("id=" + s.id() + " vm=" + s.vm() + " mode=" + s.mode() + " inModeMillis="
                        + inMode.toMillis() + " request=" + s.request().label() + " policy=" + s.policy()
                        + " displayBytes=" + s.displayBytes() + " replayBytes=" + s.replayBytes()
                        + " displayBytesPerSecond=" + Math.round(s.displayBytesPerSecond())
                        + " replayBytesPerSecond=" + Math.round(s.replayBytesPerSecond()) + " lagMillis="
                        + s.replayLag().map(d -> Long.toString(d.toMillis())).orElse("-") + " switches="
                        + s.switches() + " viewers=" + s.viewers() + " port=" + s.viewerAddress().getPort()
                        + " server=" + s.server());
            } else {
                System.out.printf(Locale.ROOT, "%-4s %-14s %-12s %8s %-9s %10s %10s %9s %9s %7s %4d %3d  %s%n",
                        s.id(), "local".equals(s.server()) ? s.vm() : s.vm() + "@" + s.server(), s.mode(),
                        Formats.duration(inMode), s.request().label(),
                        Formats.bytes(s.displayBytes()), Formats.bytes(s.replayBytes()),
                        Formats.bytes(Math.round(s.displayBytesPerSecond())),
                        Formats.bytes(Math.round(s.replayBytesPerSecond())),
                        s.replayLag().map(d -> d.toMillis() + "ms").orElse("-"), s.switches(), s.viewers(),
                        s.viewerAddress().getHostString() + "::" + s.viewerAddress().getPort());
            }
        }
        if (!noFormat) {
            System.out.println("policy: " + list.get(0).policy());
        }
        return null;
    }
}
