package org.replaydesk.display.vnc;

import java.time.Duration;
import java.util.Objects;

/**
 * How much a display's user interacts and how much the screen of the display's <em>input source</em> (the VM the
 * desktop runs on) changes: the inputs of a mode-switching policy that are about the desktop rather than the wire.
 * Everything is measured on the input source, whatever pixel source the display shows: while a display shows
 * another source (a replaying VM), the relay keeps polling the input source for damage at a low rate
 * ({@link #probing()}, configuration {@code damage.probe.fps}), so the numbers stay meaningful in replay mode.
 *
 * <p>Input events are the KeyEvents (press and release each count), QEMU extended key events and PointerEvents that
 * viewers send and the relay forwards to the input source (not those of view-only viewers). Pointer motion is
 * throttled per viewer: a PointerEvent counts when its button mask differs from the viewer's previous one, and
 * otherwise at most one motion event per viewer per 100 ms counts (a mouse moved or dragged for a second counts 10,
 * a click 2). A frame is one FramebufferUpdate from the input source that changed pixels. Damage is the area those
 * updates changed, counted once per slot of the probe interval (200 ms at the default 5 probes per second) however
 * often it changed within the slot, at the granularity of QEMU's dirty tracking (16-pixel runs of a row); so a
 * source shown (polled as fast as it answers) and the same source probed report the same damage, and bytes per
 * damaged pixel learnt in one mode apply in the other. A full-frame refresh the relay asked for itself is not
 * damage.
 *
 * @param inputWindow the window {@code inputEvents} and {@code framesPerSecondAfterInput} cover (10 s)
 * @param inputEvents input events counted in the last {@code inputWindow}
 * @param framesPerSecondAfterInput for each input event of the window whose following second has passed, the frames
 *        the input source produced in that second; the average over those events, in frames per second; 0 when
 *        there are none
 * @param damageWindow the long window {@code damagedPixelsPerSecond} covers (20 s); while the display is younger,
 *        the time it has been open
 * @param damagedPixelsPerSecond damaged pixels of the input source per second over {@code damageWindow}
 * @param shortDamageWindow the short window {@code shortDamagedPixelsPerSecond} covers (2 s)
 * @param shortDamagedPixelsPerSecond damaged pixels per second over {@code shortDamageWindow}, which reacts quickly
 * @param totalDamagedPixels damaged pixels of the input source since the display opened
 * @param totalInputEvents input events counted since the display opened
 * @param probing whether the relay is polling the input source at the capped probe rate right now (it is not the
 *        shown source); false while the input source is shown (it is then polled at full rate) or when the probe is
 *        disabled ({@code damage.probe.fps=0}: then the numbers stop growing while another source is shown)
 * @since 1.3
 */
public record InteractionStats(Duration inputWindow, int inputEvents, double framesPerSecondAfterInput,
        Duration damageWindow, double damagedPixelsPerSecond, Duration shortDamageWindow,
        double shortDamagedPixelsPerSecond, long totalDamagedPixels, long totalInputEvents, boolean probing) {

    /** Checks that the windows are given. */
    public InteractionStats {
        Objects.requireNonNull(inputWindow, "inputWindow");
        Objects.requireNonNull(damageWindow, "damageWindow");
        Objects.requireNonNull(shortDamageWindow, "shortDamageWindow");
    }
}
