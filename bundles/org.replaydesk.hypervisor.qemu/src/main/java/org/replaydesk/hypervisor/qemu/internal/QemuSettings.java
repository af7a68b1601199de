package org.replaydesk.hypervisor.qemu.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The driver's configuration with defaults resolved to absolute paths. A value type so the
 * command-line builder and tests do not depend on ConfigAdmin.
 */
record QemuSettings(String qemuBinary, String qemuImgBinary, Path guestDir, Path stateDir, Path socketDir,
        int vncLoopbackPortBase, int netServerPort, Duration startTimeout) {

    static QemuSettings from(QemuHypervisorConfig config) {
        String karafHome = System.getProperty("karaf.home", System.getProperty("user.dir"));
        String karafData = System.getProperty("karaf.data", karafHome + "/data");
        Path guest = config.guest_dir().isBlank() ? Path.of(karafHome, "guest") : Path.of(config.guest_dir());
        Path state = config.state_dir().isBlank() ? Path.of(karafData, "replaydesk", "vms") : Path.of(config.state_dir());
        state = state.toAbsolutePath().normalize();
        Path sockets = config.socket_dir().isBlank() ? defaultSocketDir(state) : Path.of(config.socket_dir());
        return new QemuSettings(config.qemu_binary(), config.qemu_img_binary(), guest.toAbsolutePath().normalize(),
                state, sockets.toAbsolutePath().normalize(), config.vnc_loopback_port_base(), config.net_server_port(),
                Duration.ofSeconds(Math.max(5, config.start_timeout_seconds())));
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
