package org.replaydesk.display.vnc.viewers;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * noVNC (the npm release) in headless Chromium (Debian's {@code chromium}), driven by playwright-core from a Node
 * script ({@code novnc/novnc-capture.mjs} on the test class path): it connects to a ws:// VNC endpoint, waits for
 * noVNC's "connect" event and a still, non-black canvas, and saves the canvas pixels ({@code toDataURL}, lossless).
 * The npm packages come from {@code scripts/npm-test-deps.sh}, cached outside the repository.
 */
public final class NoVncBrowser {

    private static volatile Path npmDeps;

    private NoVncBrowser() {
    }

    /**
     * What noVNC asks the server for.
     *
     * @param password the VNC password, or null for security None
     * @param qualityLevel noVNC's JPEG quality level 0..9, or null for its default (6: noVNC always announces a JPEG
     *        quality, so a server that does Tight JPEG will use it; QEMU only does with {@code lossy=on})
     * @param compressionLevel noVNC's zlib level 0..9, or null for its default (2)
     */
    public record Options(String password, Integer qualityLevel, Integer compressionLevel) {

        /** noVNC's defaults, no password. */
        public static final Options DEFAULTS = new Options(null, null, null);
    }

    /**
     * What one run of the capture script gave.
     *
     * @param exitCode 0 when noVNC connected and the canvas was captured
     * @param log the script's output: noVNC's events, the browser console, the failure reason
     * @param image the canvas, or null when the run failed
     */
    public record Result(int exitCode, String log, BufferedImage image) {

        /** @return whether noVNC connected and the canvas was captured */
        public boolean captured() {
            return exitCode == 0 && image != null;
        }
    }

    /**
     * Connects noVNC and returns its canvas; fails the test if that does not work.
     *
     * @param webSocketUrl e.g. ws://127.0.0.1:5799/
     * @param password the VNC password, or null
     * @param workDir where the picture and logs go
     * @param timeout for the whole capture, browser start included
     * @return the canvas as noVNC drew it
     * @throws IOException if the work folder cannot be used
     * @throws InterruptedException if interrupted
     */
    public static BufferedImage capture(String webSocketUrl, String password, Path workDir, Duration timeout)
            throws IOException, InterruptedException {
        return capture(webSocketUrl, new Options(password, null, null), workDir, timeout);
    }

    /**
     * Connects noVNC with these options and returns its canvas; fails the test if that does not work.
     *
     * @param webSocketUrl e.g. ws://127.0.0.1:5799/
     * @param options password, JPEG quality, compression level
     * @param workDir where the picture and logs go
     * @param timeout for the whole capture, browser start included
     * @return the canvas as noVNC drew it
     * @throws IOException if the work folder cannot be used
     * @throws InterruptedException if interrupted
     */
    public static BufferedImage capture(String webSocketUrl, Options options, Path workDir, Duration timeout)
            throws IOException, InterruptedException {
        Result result = connect(webSocketUrl, options, workDir, timeout);
        if (!result.captured()) {
            fail("noVNC in Chromium could not show " + webSocketUrl + " (exit " + result.exitCode() + "): "
                    + ExternalProgram.tail(result.log(), 4000));
        }
        return result.image();
    }

    /**
     * Connects noVNC and reports what happened, success or not (for tests that expect a refusal).
     *
     * @param webSocketUrl e.g. ws://127.0.0.1:5799/
     * @param password the VNC password, or null
     * @param workDir where the picture and logs go
     * @param timeout for the whole capture, browser start included
     * @return the outcome
     * @throws IOException if the work folder cannot be used
     * @throws InterruptedException if interrupted
     */
    public static Result connect(String webSocketUrl, String password, Path workDir, Duration timeout)
            throws IOException, InterruptedException {
        return connect(webSocketUrl, new Options(password, null, null), workDir, timeout);
    }

    /**
     * Connects noVNC with these options and reports what happened, success or not.
     *
     * @param webSocketUrl e.g. ws://127.0.0.1:5799/
     * @param options password, JPEG quality, compression level
     * @param workDir where the picture and logs go
     * @param timeout for the whole capture, browser start included
     * @return the outcome
     * @throws IOException if the work folder cannot be used
     * @throws InterruptedException if interrupted
     */
    public static Result connect(String webSocketUrl, Options options, Path workDir, Duration timeout)
            throws IOException, InterruptedException {
        Path node = ExternalProgram.require("node", "nodejs");
        Path browser = ExternalProgram.require("chromium", "chromium");
        Files.createDirectories(workDir);
        Path picture = workDir.resolve("novnc-canvas.png");
        Files.deleteIfExists(picture);
        List<String> cmd = new ArrayList<>(List.of(node.toString(), captureScript().toString(), "--deps",
                npmDeps().toString(), "--ws", webSocketUrl, "--out", picture.toString(), "--browser",
                browser.toString(), "--timeout-ms", Long.toString(timeout.toMillis()), "--log", "info"));
        if (options.password() != null) {
            cmd.add("--password");
            cmd.add(options.password());
        }
        if (options.qualityLevel() != null) {
            cmd.add("--quality");
            cmd.add(options.qualityLevel().toString());
        }
        if (options.compressionLevel() != null) {
            cmd.add("--compression");
            cmd.add(options.compressionLevel().toString());
        }
        Path log = workDir.resolve("novnc-capture.log");
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // The script has its own deadline; this one only catches a hung Node or browser.
        if (!process.waitFor(timeout.toMillis() + 15_000, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            fail("novnc-capture.mjs hung (" + String.join(" ", cmd) + "): " + Files.readString(log));
        }
        BufferedImage image = process.exitValue() == 0 && Files.exists(picture) ? ImageIO.read(picture.toFile()) : null;
        return new Result(process.exitValue(), Files.readString(log), image);
    }

    /**
     * Runs {@code scripts/npm-test-deps.sh} once per JVM (it is fast when cached, but not free).
     *
     * @return the folder holding node_modules with noVNC and playwright-core
     */
    static Path npmDeps() throws IOException, InterruptedException {
        Path cached = npmDeps;
        if (cached != null) {
            return cached;
        }
        ExternalProgram.require("npm", "npm");
        Path script = Path.of(System.getProperty("replaydesk.scripts.dir", "../../scripts"), "npm-test-deps.sh")
                .toAbsolutePath().normalize();
        if (!Files.isExecutable(script)) {
            fail(script + " is missing or not executable (set -Dreplaydesk.scripts.dir to the repository's scripts)");
        }
        Process process = new ProcessBuilder(script.toString()).start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            fail(script + " failed: " + err);
        }
        String[] lines = new String(out, StandardCharsets.UTF_8).strip().split("\n");
        Path dir = Path.of(lines[lines.length - 1].strip());
        if (!Files.isDirectory(dir.resolve("node_modules/@novnc/novnc/core"))
                || !Files.isDirectory(dir.resolve("node_modules/playwright-core"))) {
            fail(script + " printed " + dir + ", which lacks node_modules/@novnc/novnc/core or playwright-core");
        }
        npmDeps = dir;
        return dir;
    }

    private static Path captureScript() {
        URL url = NoVncBrowser.class.getResource("/novnc/novnc-capture.mjs");
        assertNotNull(url, "novnc/novnc-capture.mjs is not on the test class path");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url.toString(), e);
        }
    }
}
