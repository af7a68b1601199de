package org.replaydesk.qmp;

import java.util.Objects;

/**
 * The answer to {@code query-replay}: whether this QEMU records or replays, and how far it has got.
 *
 * <p>{@link #icount()} on the recorder and the replayer is the catch-up metric of dual mode.
 *
 * @param mode {@code none}, {@code record} or {@code play}
 * @param filename the replay log QEMU writes or reads; {@code null} when {@code mode} is {@code none}
 * @param icount the number of guest instructions executed so far (0 without {@code -icount})
 */
public record ReplayInfo(String mode, String filename, long icount) {

    /** QEMU's mode string when record/replay is off. */
    public static final String MODE_NONE = "none";
    /** QEMU's mode string while recording. */
    public static final String MODE_RECORD = "record";
    /** QEMU's mode string while replaying. */
    public static final String MODE_PLAY = "play";

    /**
     * Rejects a missing mode.
     *
     * @param mode see {@link #mode()}
     * @param filename see {@link #filename()}
     * @param icount see {@link #icount()}
     */
    public ReplayInfo {
        Objects.requireNonNull(mode, "mode");
    }

    /** @return whether QEMU is recording */
    public boolean isRecording() {
        return MODE_RECORD.equals(mode);
    }

    /** @return whether QEMU is replaying */
    public boolean isPlaying() {
        return MODE_PLAY.equals(mode);
    }
}
