package org.replaydesk.shell.internal;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.session.SessionService;

/** The session commands' optional service. */
final class Sessions {

    private Sessions() {
    }

    /**
     * @param service the injected service, or null when no session bundle runs
     * @return the service
     * @throws ReplayDeskException UNAVAILABLE saying which feature to install
     */
    static SessionService required(SessionService service) {
        if (service == null) {
            throw ReplayDeskException.unavailable("adaptive sessions are not running here: "
                    + "feature:install replaydesk-session");
        }
        return service;
    }
}
