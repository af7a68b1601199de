package org.replaydesk.api.session;

/**
 * Where a session's pixels come from (design.md "Modes").
 *
 * <pre>
 * DISPLAY ─► SNAPSHOTTING ─► DUAL ─► REPLAY
 *    ▲             │           │        │
 *    └─────────────┴───────────┴────────┘
 * </pre>
 */
public enum SessionMode {
    /** Viewers see the server VM's display, encoded by the relay. */
    DISPLAY,
    /** Still DISPLAY for viewers; the server takes a snapshot for the replayer to start from. */
    SNAPSHOTTING,
    /**
     * Still DISPLAY for viewers; the client host streams the record log too and its replayer catches up with the
     * server. Bounded in time by the policy (the paper: 200 s).
     */
    DUAL,
    /** Viewers see the client host's replayer; only the record log crosses the network. */
    REPLAY;

    /** @return whether viewers see the server's display in this mode (everything but {@link #REPLAY}) */
    public boolean showsServerDisplay() {
        return this != REPLAY;
    }

    /** @return whether this mode is part of an attempt to reach {@link #REPLAY} */
    public boolean isSwitchingToReplay() {
        return this == SNAPSHOTTING || this == DUAL;
    }
}
