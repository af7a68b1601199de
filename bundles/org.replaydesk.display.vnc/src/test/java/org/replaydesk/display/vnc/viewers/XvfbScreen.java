package org.replaydesk.display.vnc.viewers;

import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A private X server (Xvfb) whose screen is a file: {@code -fbdir} makes Xvfb keep its framebuffer as an XWD file,
 * so a capture is a file read. The display number is Xvfb's own choice ({@code -displayfd}), so parallel builds
 * never fight over one.
 */
public final class XvfbScreen implements AutoCloseable {

    private final Process xvfb;
    private final int display;
    private final Path screenFile;
    private final Path log;

    private XvfbScreen(Process xvfb, int display, Path screenFile, Path log) {
        this.xvfb = xvfb;
        this.display = display;
        this.screenFile = screenFile;
        this.log = log;
    }

    /**
     * @param width screen width (a full-screen viewer of a desktop this size shows it at 0,0, pixel for pixel)
     * @param height screen height
     * @param workDir where the screen file and Xvfb's log go
     * @param timeout how long Xvfb may take to start
     * @return the running screen
     * @throws IOException if the work folder cannot be used
     */
    public static XvfbScreen start(int width, int height, Path workDir, Duration timeout) throws IOException {
        Path xvfbPath = ExternalProgram.require("Xvfb", "xvfb");
        Path fbDir = Files.createDirectories(workDir.resolve("xvfb-fb"));
        Path log = workDir.resolve("xvfb.log");
        // -displayfd 1: Xvfb picks a free display number and prints it on stdout once it accepts clients.
        List<String> cmd = List.of(xvfbPath.toString(), "-displayfd", "1", "-screen", "0", width + "x" + height + "x24",
                "-fbdir", fbDir.toString(), "-nolisten", "tcp", "-noreset");
        Process process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = firstLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while starting Xvfb", e);
        } catch (ExecutionException | TimeoutException e) {
            line = null;
        }
        if (line == null || !line.strip().matches("\\d+")) {
            process.destroyForcibly();
            fail("Xvfb did not report a display number within " + timeout + " (" + String.join(" ", cmd) + "): "
                    + ExternalProgram.tail(Files.exists(log) ? Files.readString(log) : "(no log)", 2000));
        }
        return new XvfbScreen(process, Integer.parseInt(line.strip()), fbDir.resolve("Xvfb_screen0"), log);
    }

    /** @return the DISPLAY value, e.g. ":3" */
    public String display() {
        return ":" + display;
    }

    /** @return whether Xvfb still runs */
    public boolean isAlive() {
        return xvfb.isAlive();
    }

    /**
     * @return the whole screen as the X server holds it now
     * @throws IOException if the screen file cannot be read
     */
    public BufferedImage capture() throws IOException {
        return XwdImage.read(ByteBuffer.wrap(Files.readAllBytes(screenFile)));
    }

    /**
     * @return Xvfb's stderr so far
     * @throws IOException if it cannot be read
     */
    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() {
        xvfb.destroy();
        try {
            if (!xvfb.waitFor(5, TimeUnit.SECONDS)) {
                xvfb.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            xvfb.destroyForcibly();
        }
    }
}
