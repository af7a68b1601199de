package org.replaydesk.snapshot.internal;

import java.time.Duration;

import org.replaydesk.api.ReplayDeskException;

/**
 * The snapshotter's checked configuration.
 *
 * @param bootSnapshot take a BOOT snapshot once a recorder's guest is ready
 * @param readyTimeout how long to wait for the guest's "ready" before giving the BOOT snapshot up
 * @param period time between PERIODIC snapshots; zero: none
 * @param keep snapshots kept per VM, at least 1
 * @param qemuImg the qemu-img program
 */
record SnapshotSettings(boolean bootSnapshot, Duration readyTimeout, Duration period, int keep, String qemuImg) {

    /** The demo guest boots in 10-40 s under TCG record on a loaded host; 180 s leaves room. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    /** A week: a longer period is surely a typo (milliseconds?) rather than a wish. */
    static final long MAX_PERIOD_SECONDS = 7 * 24 * 3600;

    /** More kept snapshots only cost disk: each holds the guest's RAM. */
    static final int MAX_KEEP = 100;

    static SnapshotSettings of(SnapshotConfiguration config) {
        if (config.period_seconds() < 0 || config.period_seconds() > MAX_PERIOD_SECONDS) {
            throw ReplayDeskException.invalid("period.seconds " + config.period_seconds() + " is outside 0-"
                    + MAX_PERIOD_SECONDS + " (0 turns periodic snapshots off)");
        }
        if (config.keep() < 1 || config.keep() > MAX_KEEP) {
            throw ReplayDeskException.invalid("keep " + config.keep() + " is outside 1-" + MAX_KEEP
                    + " (a client needs at least one snapshot)");
        }
        String qemuImg = config.qemu_img_binary() == null ? "" : config.qemu_img_binary().trim();
        if (qemuImg.isEmpty()) {
            throw ReplayDeskException.invalid("qemu.img.binary is empty; name the qemu-img program (default "
                    + "qemu-img)");
        }
        return new SnapshotSettings(config.boot_snapshot(), READY_TIMEOUT, Duration.ofSeconds(config.period_seconds()),
                config.keep(), qemuImg);
    }
}
