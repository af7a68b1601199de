package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.session.SessionService;

/** Closes a session; the VM keeps running. */
@Command(scope = "desk", name = "session-close",
        description = "Closes a session: stops its replayer and disconnects its viewers; the VM keeps running")
@Service
public class SessionCloseCommand implements Action {

    // Optional: without it Karaf would hold back every desk command until a session service appears.
    @Reference(optional = true)
    SessionService sessions;

    @Argument(index = 0, name = "session", required = true, description = "A session id (desk:session-list)")
    String session;

    @Override
    public Object execute() {
        SessionService sessions = Sessions.required(this.sessions);
        sessions.close(session);
        System.out.println("Session " + session + " closed");
        return null;
    }
}
