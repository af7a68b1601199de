package org.replaydesk.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.session.PolicyInfo;
import org.replaydesk.api.session.SessionService;

/** Lists the installed mode-switching policies and which one sessions use. */
@Command(scope = "desk", name = "policy-list",
        description = "Lists the installed mode-switching policies; * marks the one sessions use")
@Service
public class PolicyListCommand implements Action {

    // Optional: without it Karaf would hold back every desk command until a session service appears.
    @Reference(optional = true)
    SessionService sessions;

    @Override
    public Object execute() {
        SessionService sessions = Sessions.required(this.sessions);
        List<PolicyInfo> list = sessions.policies();
        if (list.isEmpty()) {
            System.out.println("No policy installed: sessions stay in display mode unless asked for replay");
            return null;
        }
        for (PolicyInfo p : list) {
            System.out.println((p.active() ? "* " : "  ") + p.name() + "  [" + p.bundle() + "]  " + p.description());
        }
        return null;
    }
}
