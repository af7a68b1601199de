package org.replaydesk.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.replaydesk.api.session.SessionInfo;
import org.replaydesk.api.session.SessionService;

/** Opens an adaptive session on a running VM. */
@Command(scope = "desk", name = "session-open",
        description = "Opens an adaptive session on a running VM: one display for its viewers whose pixels come from "
                + "the VM's display or from a replayer on the client host, switched by the active policy")
@Service
public class SessionOpenCommand implements Action {

    // Optional: without it Karaf would hold back every desk command until a session service appears.
    @Reference(optional = true)
    SessionService sessions;

    @Option(name = "--client", description = "The client host the replayer runs on (this host: local, the default)")
    String client;

    @Option(name = "--server", description = "HOST[:PORT] of the server host the VM runs on (PORT: its record-log "
            + "port, 5690 by default, as desk:replay-start --server takes it); this container is then the client host")
    String server;

    @Argument(index = 0, name = "vm", required = true, description = "A running VM (recorded, for replay)")
    @Completion(VmNameCompleter.class)
    String vm;

    @Override
    public Object execute() {
        SessionService sessions = Sessions.required(this.sessions);
        SessionInfo s = sessions.open(vm, client, server);
        System.out.println("Session " + s.id() + " on " + s.vm() + (server == null ? "" : " of " + server.strip())
                + " (" + s.mode() + ", policy " + s.policy()
                + "): vncviewer " + s.viewerAddress().getHostString() + "::" + s.viewerAddress().getPort());
        return null;
    }
}
