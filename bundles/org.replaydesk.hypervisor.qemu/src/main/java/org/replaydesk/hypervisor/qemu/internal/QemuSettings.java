package org.replaydesk.hypervisor.qemu.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The driver's configuration with defaults resolved to absolute paths. A value type so the
 * command-line builder and tests do not depend on ConfigAdmin.
 */
record QemuSettings(String qemuBinary, String qemuImgBinary, Path guestDir, Path stateDir, Path socketDir,
        int vncLoopbackPortBase, int netServerPort, Duration startTimeout, Optional<Path> rrflushLibrary,
        int rrflushIntervalMs, Optional<Path> rrpaceLibrary, int rrpacePollCapUs, Optional<Path> memoryDir) {

    /** Where the distribution puts native/librrpace.so (the replayers' main-loop pacer). */
    static final String DEFAULT_RRPACE_LIBRARY = "${karaf.home}/native/librrpace.so";

    /** Where the distribution puts native/librrflush.so; ConfigAdmin does not resolve the placeholder, from() does. */
    static final String DEFAULT_RRFLUSH_LIBRARY = "${karaf.home}/native/librrflush.so";
    static final int MIN_RRFLUSH_INTERVAL_MS = 1;
    static final int MAX_RRFLUSH_INTERVAL_MS = 1000;

    QemuSettings {
        if (rrflushIntervalMs < MIN_RRFLUSH_INTERVAL_MS || rrflushIntervalMs > MAX_RRFLUSH_INTERVAL_MS) {
            throw new IllegalArgumentException("rrflush.interval.ms=" + rrflushIntervalMs + " is outside "
                    + MIN_RRFLUSH_INTERVAL_MS + ".." + MAX_RRFLUSH_INTERVAL_MS + " ms");
        }
        if (rrpacePollCapUs < 50 || rrpacePollCapUs > 100_000) {
            throw new IllegalArgumentException("rrpace.poll.cap.us=" + rrpacePollCapUs + " is outside 50..100000 us");
        }
    }

    /** Settings whose recorders keep RAM inside the vmstate. */
    QemuSettings(String qemuBinary, String qemuImgBinary, Path guestDir, Path stateDir, Path socketDir,
            int vncLoopbackPortBase, int netServerPort, Duration startTimeout, Optional<Path> rrflushLibrary,
            int rrflushIntervalMs, Optional<Path> rrpaceLibrary, int rrpacePollCapUs) {
        this(qemuBinary, qemuImgBinary, guestDir, stateDir, socketDir, vncLoopbackPortBase, netServerPort,
                startTimeout, rrflushLibrary, rrflushIntervalMs, rrpaceLibrary, rrpacePollCapUs, Optional.empty());
    }

    /** Settings without the replay pacer. */
    QemuSettings(String qemuBinary, String qemuImgBinary, Path guestDir, Path stateDir, Path socketDir,
            int vncLoopbackPortBase, int netServerPort, Duration startTimeout, Optional<Path> rrflushLibrary,
            int rrflushIntervalMs) {
        this(qemuBinary, qemuImgBinary, guestDir, stateDir, socketDir, vncLoopbackPortBase, netServerPort,
                startTimeout, rrflushLibrary, rrflushIntervalMs, Optional.empty(), 500);
    }

    /** Settings without the record-log flusher (tests that do not care about it). */
    QemuSettings(String qemuBinary, String qemuImgBinary, Path guestDir, Path stateDir, Path socketDir,
            int vncLoopbackPortBase, int netServerPort, Duration startTimeout) {
        this(qemuBinary, qemuImgBinary, guestDir, stateDir, socketDir, vncLoopbackPortBase, netServerPort,
                startTimeout, Optional.empty(), 10, Optional.empty(), 500);
    }

    static QemuSettings from(QemuHypervisorConfig config) {
        String karafHome = System.getProperty("karaf.home", System.getProperty("user.dir"));
        String karafData = System.getProperty("karaf.data", karafHome + "/data");
        Path guest = config.guest_dir().isBlank() ? Path.of(karafHome, "guest") : Path.of(config.guest_dir());
        Path state = config.state_dir().isBlank() ? Path.of(karafData, "replaydesk", "vms") : Path.of(config.state_dir());
        state = state.toAbsolutePath().normalize();
        Path sockets = config.socket_dir().isBlank() ? defaultSocketDir(state) : Path.of(config.socket_dir());
        return new QemuSettings(config.qemu_binary(), config.qemu_img_binary(), guest.toAbsolutePath().normalize(),
                state, sockets.toAbsolutePath().normalize(), config.vnc_loopback_port_base(), config.net_server_port(),
                Duration.ofSeconds(Math.max(5, config.start_timeout_seconds())),
                rrflushLibrary(config.rrflush_library(), karafHome), config.rrflush_interval_ms(),
                rrflushLibrary(config.rrpace_library(), karafHome), config.rrpace_poll_cap_us(),
                config.memory_dir() == null || config.memory_dir().isBlank() ? Optional.empty()
                        : Optional.of(Path.of(config.memory_dir().strip()).toAbsolutePath().normalize()));
    }

    /** Empty (or blank) disables the flusher; ${karaf.home} is replaced; relative paths are taken from karaf.home. */
    static Optional<Path> rrflushLibrary(String configured, String karafHome) {
        if (configured == null || configured.isBlank()) {
            return Optional.empty();
        }
        Path lib = Path.of(karafHome).resolve(configured.strip().replace("${karaf.home}", karafHome));
        return Optional.of(lib.toAbsolutePath().normalize());
    }

    /**
     * Unix socket paths are limited to 107 bytes and Karaf may live deep in a build folder, so
     * sockets go under /tmp in a folder named after the state folder (two containers on one host
     * never share one).
     */
    static Path defaultSocketDir(Path stateDir) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(stateDir.toString().getBytes(StandardCharsets.UTF_8));
            // Not java.io.tmpdir: Karaf points it into its data folder, which is as deep as the state folder.
            return Path.of("/tmp", "replaydesk-" + HexFormat.of().formatHex(digest, 0, 5));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
