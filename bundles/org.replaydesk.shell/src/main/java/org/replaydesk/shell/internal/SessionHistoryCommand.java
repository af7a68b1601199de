package org.replaydesk.shell.internal;

import java.util.List;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.session.ModeSwitch;
import org.replaydesk.api.session.SessionService;

/** Shows a session's switch log. */
@Command(scope = "desk", name = "session-history",
        description = "Shows a session's switch log: when, from, to, who decided, latency, server stall, reason")
@Service
public class SessionHistoryCommand implements Action {

    // Optional: without it Karaf would hold back every desk command until a session service appears.
    @Reference(optional = true)
    SessionService sessions;

    @Argument(index = 0, name = "session", required = true, description = "A session id (desk:session-list)")
    String session;

    @Option(name = "--no-format", description = "key=value pairs, one switch per line, raw numbers")
    boolean noFormat;

    @Override
    public Object execute() {
        SessionService sessions = Sessions.required(this.sessions);
        List<ModeSwitch> log = sessions.history(session);
        if (log.isEmpty()) {
            System.out.println("Session " + session + " has not switched yet");
            return null;
        }
        for (ModeSwitch s : log) {
            if (noFormat) {
                System.out.println("decidedAt=" + s.decidedAt() + " from=" + s.from() + " to=" + s.to()
                        + " decidedBy=" + s.decidedBy() + " latencyMillis=" + s.latency().toMillis()
                        + " stallMillis=" + s.serverStall().map(d -> Long.toString(d.toMillis())).orElse("-")
                        + " reason=" + s.reason().replace(' ', '_'));
            } else {
                System.out.printf(Locale.ROOT, "%s  %-12s -> %-12s by %-10s %7d ms%s  %s%n", s.decidedAt(), s.from(),
                        s.to(), s.decidedBy(), s.latency().toMillis(),
                        s.serverStall().map(d -> ", stall " + d.toMillis() + " ms").orElse(""), s.reason());
            }
        }
        return null;
    }
}
