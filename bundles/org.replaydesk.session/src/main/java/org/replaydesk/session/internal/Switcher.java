package org.replaydesk.session.internal;

import java.time.Duration;
import java.util.Optional;

/**
 * The side effects of a session's mode machine: what {@link ModeMachine} asks of the hosts. All calls come from the
 * session's own thread and may block; each throws with a message naming what failed.
 */
interface Switcher {

    /**
     * Has the server take a fresh snapshot of the VM for a replayer to start from.
     *
     * @return how long the server VM was stopped
     * @throws Exception if no snapshot could be taken (the session keeps display)
     */
    Duration takeSnapshot() throws Exception;

    /**
     * Starts the client's replayer from the snapshot just taken (dual mode: viewers still see the display).
     *
     * @throws Exception if the replayer cannot start
     */
    void startReplay() throws Exception;

    /** @return how the replayer is doing; only called between {@link #startReplay} and {@link #stopReplay} */
    ReplayProgress replayProgress();

    /**
     * Shows the replayer's pixels to the viewers (input keeps going to the server VM).
     *
     * @throws Exception if the replayer's display cannot be shown (viewers keep the server's display)
     */
    void showReplay() throws Exception;

    /**
     * Shows the server VM's display to the viewers again. Must be fast (the paper: under 50 ms).
     *
     * @throws Exception if the server's display cannot be shown
     */
    void showDisplay() throws Exception;

    /** Stops the replayer if one runs; never throws. */
    void stopReplay();

    /**
     * How the replayer is doing.
     *
     * @param caughtUp whether it has replayed everything the server has logged (LIVE)
     * @param failure why it stopped, if it did
     */
    record ReplayProgress(boolean caughtUp, Optional<String> failure) {
    }
}
