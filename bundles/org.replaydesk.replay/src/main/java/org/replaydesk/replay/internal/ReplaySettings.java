package org.replaydesk.replay.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.replaydesk.api.ReplayDeskException;

/**
 * The replay client's configuration, checked. Bad values fail activation with a message naming the key.
 *
 * @param rdfuse the helper binary
 * @param qemuImg qemu-img
 * @param workDir mount points and spool files
 * @param logToken the record-log streamer's token (never logged)
 * @param logTlsTrust CA file for record-log streams over TLS
 * @param startTimeoutSeconds how long a replayer may take to start
 * @param imageThreads chunk fetchers per image
 * @param memoryReadAhead chunks fetched beyond each miss in a snapshot's memory image (random access)
 */
record ReplaySettings(Path rdfuse, String qemuImg, Path workDir, String logToken, Optional<Path> logTlsTrust,
        int startTimeoutSeconds, int imageThreads, int memoryReadAhead) {

    static final String PID = "org.replaydesk.replay";

    static ReplaySettings of(ReplayConfiguration c, String karafHome, String karafData) {
        Path rdfuse;
        if (!c.rdfuse_binary().isBlank()) {
            rdfuse = Path.of(c.rdfuse_binary().strip());
        } else if (karafHome != null && Files.isRegularFile(Path.of(karafHome, "native", "rdfuse"))) {
            rdfuse = Path.of(karafHome, "native", "rdfuse");
            // Unpackers that ignore tar modes (Pax Exam's, some archive tools) leave the shipped helper without
            // its executable bit; it is ours, so restore it rather than fail every replay.
            if (!Files.isExecutable(rdfuse) && !rdfuse.toFile().setExecutable(true, false)) {
                throw ReplayDeskException.unavailable(PID + ": " + rdfuse + " is not executable and cannot be made so:"
                        + " chmod +x it");
            }
        } else {
            rdfuse = onPath("rdfuse").orElse(Path.of(karafHome == null ? "." : karafHome, "native", "rdfuse"));
        }
        Path work = !c.work_dir().isBlank() ? Path.of(c.work_dir().strip())
                : karafData != null ? Path.of(karafData, "replaydesk", "replay")
                : Path.of(System.getProperty("java.io.tmpdir"), "replaydesk-replay");
        String token = !c._log_token().isEmpty() ? c._log_token() : c.log_token();
        Optional<Path> trust = c.log_tls_trust().isBlank() ? Optional.empty() : Optional.of(Path.of(c.log_tls_trust().strip()));
        if (trust.isPresent() && !Files.isReadable(trust.get())) {
            throw ReplayDeskException.invalid(PID + ": log.tls.trust " + trust.get() + " is not a readable file");
        }
        if (c.start_timeout_seconds() < 1 || c.start_timeout_seconds() > 3600) {
            throw ReplayDeskException.invalid(PID + ": start.timeout.seconds " + c.start_timeout_seconds()
                    + " is not 1-3600");
        }
        if (c.image_threads() < 1 || c.image_threads() > 64) {
            throw ReplayDeskException.invalid(PID + ": image.threads " + c.image_threads() + " is not 1-64");
        }
        if (c.memory_read_ahead() < 0 || c.memory_read_ahead() > 1024) {
            throw ReplayDeskException.invalid(PID + ": memory.read.ahead " + c.memory_read_ahead() + " is not 0-1024");
        }
        if (c.qemu_img_binary().isBlank()) {
            throw ReplayDeskException.invalid(PID + ": qemu.img.binary is empty");
        }
        return new ReplaySettings(rdfuse, c.qemu_img_binary().strip(), work, token, trust, c.start_timeout_seconds(),
                c.image_threads(), c.memory_read_ahead());
    }

    private static Optional<Path> onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, binary);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "ReplaySettings[rdfuse=" + rdfuse + ", qemuImg=" + qemuImg + ", workDir=" + workDir + ", token="
                + (logToken.isEmpty() ? "none" : "set") + ", logTlsTrust=" + logTlsTrust + ", startTimeoutSeconds="
                + startTimeoutSeconds + ", imageThreads=" + imageThreads + ", memoryReadAhead=" + memoryReadAhead + "]";
    }
}
