package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.session.ModeRequest;
import org.replaydesk.api.session.SessionInfo;
import org.replaydesk.api.session.SessionService;

/** Pins a session to display or replay, or gives it back to the policy. */
@Command(scope = "desk", name = "session-mode",
        description = "Pins a session to display or replay mode, or gives it back to the policy (auto)")
@Service
public class SessionModeCommand implements Action {

    // Optional: without it Karaf would hold back every desk command until a session service appears.
    @Reference(optional = true)
    SessionService sessions;

    @Argument(index = 0, name = "session", required = true, description = "A session id (desk:session-list)")
    String session;

    @Argument(index = 1, name = "mode", required = true, description = "display, replay or auto")
    String mode;

    @Override
    public Object execute() {
        SessionService sessions = Sessions.required(this.sessions);
        SessionInfo s = sessions.setMode(session, ModeRequest.parse(mode));
        System.out.println("Session " + s.id() + ": " + s.request().label() + " requested (now " + s.mode() + ")");
        return null;
    }
}
