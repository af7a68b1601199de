package org.replaydesk.hypervisor.qemu.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The environment that makes a recording QEMU flush its record log every few milliseconds.
 *
 * <p>QEMU 7.2 writes the log through a 4 KiB stdio buffer and never flushes it while recording, so
 * live clients (the record-log streamer, replayers) would see input events 0.3-0.8 s late. The
 * native library {@code librrflush.so} (native-hooks/rrflush) is preloaded into the recorder: it
 * recognises QEMU's fopen of {@code RD_RRFLUSH_FILE} and flushes that stream every
 * {@code RD_RRFLUSH_MS} ms. Replayers and plain VMs get nothing.
 */
final class RecordLogFlusher {
    private static final Logger LOG = LoggerFactory.getLogger(RecordLogFlusher.class);
    static final String PRELOAD = "LD_PRELOAD";
    static final String FILE = "RD_RRFLUSH_FILE";
    static final String INTERVAL = "RD_RRFLUSH_MS";
    static final String POLL_CAP = "RD_POLL_CAP_US";

    private final Optional<Path> library;
    private final int intervalMs;
    private Optional<Path> pacer = Optional.empty();
    private int pollCapUs = 500;
    private final AtomicBoolean warnedPacerMissing = new AtomicBoolean();
    private final Predicate<Path> exists;
    /** One WARN per driver activation, not one per VM start. */
    private final AtomicBoolean warnedMissing = new AtomicBoolean();

    RecordLogFlusher(Optional<Path> library, int intervalMs) {
        this(library, intervalMs, Files::isRegularFile);
    }

    RecordLogFlusher(Optional<Path> library, int intervalMs, Predicate<Path> exists) {
        this.library = library;
        this.intervalMs = intervalMs;
        this.exists = exists;
    }

    /**
     * Variables to add to QEMU's environment.
     *
     * @param mode the VM's mode; only {@link RecordReplayMode#RECORD} gets the flusher
     * @param recordFile the rrfile exactly as the command line passes it
     * @param inheritedPreload the LD_PRELOAD QEMU would otherwise inherit (null if none); kept, ours is appended
     * @return the variables to set, empty when the flusher is off, missing or not wanted
     */
    Map<String, String> environment(RecordReplayMode mode, Path recordFile, String inheritedPreload) {
        if (mode == RecordReplayMode.REPLAY) {
            return pacerEnvironment(inheritedPreload);
        }
        if (mode != RecordReplayMode.RECORD || library.isEmpty()) {
            return Map.of();
        }
        Path lib = library.get();
        if (!exists.test(lib)) {
            if (warnedMissing.compareAndSet(false, true)) {
                LOG.warn("Record-log flusher {} is missing (rrflush.library): recording VMs keep their record log in "
                        + "QEMU's 4 KiB buffer, so live clients see it up to ~0.8 s late", lib);
            }
            return Map.of();
        }
        // ld.so takes a list separated by spaces or colons; ours goes last so an inherited preload keeps priority
        String preload = inheritedPreload == null || inheritedPreload.isBlank() ? lib.toString()
                : inheritedPreload.strip() + " " + lib;
        return Map.of(PRELOAD, preload, FILE, recordFile.toString(), INTERVAL, Integer.toString(intervalMs));
    }

    /**
     * Also preload the replay pacer ({@code librrpace.so}, native-hooks/rrpace) into replaying VMs: it caps QEMU's
     * main-loop wait so a halted replaying guest gets its recorded clock warp at once instead of at the next
     * real-time timer. Without it a replayer of an animation ran at a quarter of the recorder's speed and never
     * caught up (docs/architecture.md, "Replay speed").
     */
    RecordLogFlusher withReplayPacer(Optional<Path> pacerLibrary, int capUs) {
        this.pacer = pacerLibrary;
        this.pollCapUs = capUs;
        return this;
    }

    private Map<String, String> pacerEnvironment(String inheritedPreload) {
        if (pacer.isEmpty()) {
            return Map.of();
        }
        Path lib = pacer.get();
        if (!exists.test(lib)) {
            if (warnedPacerMissing.compareAndSet(false, true)) {
                LOG.warn("Replay pacer {} is missing (rrpace.library): replaying VMs skip guest idle time only when "
                        + "QEMU's main loop wakes, and may replay slower than the recorder runs", lib);
            }
            return Map.of();
        }
        String preload = inheritedPreload == null || inheritedPreload.isBlank() ? lib.toString()
                : inheritedPreload.strip() + " " + lib;
        return Map.of(PRELOAD, preload, POLL_CAP, Integer.toString(pollCapUs));
    }
}
