package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.session.SessionService;

/** Makes every session use another policy, without resetting any. */
@Command(scope = "desk", name = "policy-set",
        description = "Makes every session use the named policy from its next decision on (no viewer is dropped); "
                + "until a restart: configure policy.name in org.replaydesk.session to keep it")
@Service
public class PolicySetCommand implements Action {

    // Optional: without it Karaf would hold back every desk command until a session service appears.
    @Reference(optional = true)
    SessionService sessions;

    @Argument(index = 0, name = "name", required = true, description = "A policy name (desk:policy-list)")
    String name;

    @Override
    public Object execute() {
        SessionService sessions = Sessions.required(this.sessions);
        sessions.setPolicy(name);
        System.out.println("Sessions now use policy " + name);
        return null;
    }
}
