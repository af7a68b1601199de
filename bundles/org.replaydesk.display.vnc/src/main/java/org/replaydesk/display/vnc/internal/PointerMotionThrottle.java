package org.replaydesk.display.vnc.internal;

/**
 * Decides which of one viewer's PointerEvents count as input events. A pointer sends an event for every few pixels
 * it moves (a hundred or more per second while it moves), which would swamp key presses and clicks in an "input
 * events per 10 s" figure that policies compare with thresholds such as Snowbird's 15. So an event counts when its
 * button mask differs from the previous event's (a press, a release, a wheel step), and otherwise at most
 * {@link #MOTION_EVENTS_PER_SLOT} motion events count per {@link #SLOT_NANOS} (100 ms) slot: moving or dragging the
 * pointer for a second counts 10 events, like typing ten characters' presses.
 *
 * <p>Not thread-safe: each viewer's event loop keeps its own.
 */
final class PointerMotionThrottle {

    /** Length of a motion slot. */
    static final long SLOT_NANOS = 100_000_000L;
    /** Motion events counted per slot. */
    static final int MOTION_EVENTS_PER_SLOT = 1;

    private int lastButtons;
    private long slot = Long.MIN_VALUE;
    private int motionInSlot;

    /**
     * @param buttonMask the event's button mask
     * @param nanos when it arrived (monotonic)
     * @return whether it counts as an input event
     */
    boolean counts(int buttonMask, long nanos) {
        if (buttonMask != lastButtons) {
            lastButtons = buttonMask;
            return true;
        }
        long now = Math.floorDiv(nanos, SLOT_NANOS);
        if (now != slot) {
            slot = now;
            motionInSlot = 0;
        }
        if (motionInSlot < MOTION_EVENTS_PER_SLOT) {
            motionInSlot++;
            return true;
        }
        return false;
    }
}
