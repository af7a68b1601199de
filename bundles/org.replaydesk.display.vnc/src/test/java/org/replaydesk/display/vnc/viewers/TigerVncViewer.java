package org.replaydesk.display.vnc.viewers;

import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.imageio.ImageIO;

/**
 * TigerVNC's {@code xtigervncviewer}, full screen on its own {@link XvfbScreen} sized like the remote desktop, so the
 * X screen is the viewer's framebuffer pixel for pixel (no window manager, no decorations, no cropping guesswork).
 * The viewer is told one encoding and never to switch ({@code -AutoSelect=0}), full colour, and for Tight either
 * lossless ({@code -NoJPEG}) or a JPEG quality.
 */
public final class TigerVncViewer implements AutoCloseable {

    /**
     * What to ask the server for.
     *
     * @param encoding TigerVNC's name: Raw, Hextile, ZRLE or Tight
     * @param jpegQuality 0..9 to allow JPEG (Tight only), or null for lossless
     * @param compressLevel 0..9 for ZRLE/Tight zlib, or null for the viewer's default (2)
     * @param password the VNC password, or null for security None
     * @param securityTypes the viewer's -SecurityTypes (e.g. "X509Vnc"), or null for its default list
     * @param x509Ca PEM file of the CA the server's certificate must chain to (X509 types), or null
     */
    public record Settings(String encoding, Integer jpegQuality, Integer compressLevel, String password,
            String securityTypes, Path x509Ca) {

        /**
         * @param encoding Raw, Hextile, ZRLE or Tight
         * @return lossless, the viewer's default compression level, no password
         */
        public static Settings lossless(String encoding) {
            return new Settings(encoding, null, null, null, null, null);
        }

        /**
         * @param quality 0..9
         * @return Tight with JPEG at this quality level
         */
        public static Settings tightJpeg(int quality) {
            return new Settings("Tight", quality, null, null, null, null);
        }

        /**
         * @param password the VNC password
         * @return these settings with a password
         */
        public Settings withPassword(String password) {
            return new Settings(encoding, jpegQuality, compressLevel, password, securityTypes, x509Ca);
        }

        /**
         * @param level 0..9
         * @return these settings with this zlib compression level
         */
        public Settings withCompressLevel(int level) {
            return new Settings(encoding, jpegQuality, level, password, securityTypes, x509Ca);
        }

        /**
         * @param types VeNCrypt sub-types the viewer may use, e.g. "X509Vnc"
         * @param ca PEM file of the CA the server's certificate must chain to
         * @return these settings over TLS
         */
        public Settings withTls(String types, Path ca) {
            return new Settings(encoding, jpegQuality, compressLevel, password, types, ca);
        }

        @Override
        public String toString() {
            return encoding + (securityTypes != null ? " over " + securityTypes : "") + (jpegQuality != null ? " JPEG quality " + jpegQuality : "")
                    + (compressLevel != null ? " compress level " + compressLevel : "")
                    + (password != null ? " with a password" : "");
        }
    }

    private final XvfbScreen screen;
    private final Process viewer;
    private final StringBuffer output = new StringBuffer();
    private final Thread outputPump;
    private final Path workDir;
    private final Settings settings;
    /** Set before the viewer is stopped: its output pipe then closes under the reader, which is no error. */
    private volatile boolean closing;

    private TigerVncViewer(XvfbScreen screen, Process viewer, Path workDir, Settings settings) {
        this.screen = screen;
        this.viewer = viewer;
        this.workDir = workDir;
        this.settings = settings;
        this.outputPump = new Thread(() -> pump(viewer.getInputStream()), "xtigervncviewer-output");
        outputPump.setDaemon(true);
        outputPump.start();
    }

    /**
     * Starts Xvfb and the viewer. Close the result (it stops both).
     *
     * @param host the VNC server's host
     * @param port its TCP port
     * @param desktopWidth the remote desktop's width (the X screen gets this size)
     * @param desktopHeight its height
     * @param settings encoding, JPEG, password
     * @param workDir where logs, the password file and failure screenshots go
     * @return the running viewer
     * @throws IOException if the work folder cannot be used
     */
    public static TigerVncViewer connect(String host, int port, int desktopWidth, int desktopHeight, Settings settings,
            Path workDir) throws IOException {
        Path program = ExternalProgram.require("xtigervncviewer", "tigervnc-viewer");
        Files.createDirectories(workDir);
        XvfbScreen screen = XvfbScreen.start(desktopWidth, desktopHeight, workDir, Duration.ofSeconds(10));
        // No menu key: otherwise the viewer overlays "Press F8 to open the context menu" on the desktop for seconds.
        List<String> cmd = new ArrayList<>(List.of(program.toString(), "-FullScreen", "-MenuKey=", "-AutoSelect=0",
                "-PreferredEncoding=" + settings.encoding(), "-FullColor"));
        if (settings.jpegQuality() == null) {
            cmd.add("-NoJPEG");
        } else {
            cmd.add("-QualityLevel=" + settings.jpegQuality());
        }
        if (settings.compressLevel() != null) {
            // Without CustomCompressLevel the viewer ignores CompressLevel and asks for level 2.
            cmd.add("-CustomCompressLevel=1");
            cmd.add("-CompressLevel=" + settings.compressLevel());
        }
        if (settings.password() != null) {
            cmd.add("-passwd");
            cmd.add(VncPasswordFile.write(workDir.resolve("vncpasswd"), settings.password()).toString());
        }
        if (settings.securityTypes() != null) {
            cmd.add("-SecurityTypes=" + settings.securityTypes());
        }
        if (settings.x509Ca() != null) {
            cmd.add("-X509CA=" + settings.x509Ca());
        }
        cmd.add(host + "::" + port);
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        builder.environment().put("DISPLAY", screen.display());
        try {
            return new TigerVncViewer(screen, builder.start(), workDir, settings);
        } catch (IOException | RuntimeException e) {
            screen.close();
            throw e;
        }
    }

    /**
     * Moves the X pointer over the viewer's window and clicks (xdotool): the viewer sends PointerEvents.
     *
     * @param x column
     * @param y row
     * @throws IOException if xdotool is missing or fails
     * @throws InterruptedException if interrupted
     */
    public void movePointer(int x, int y) throws IOException, InterruptedException {
        Path xdotool = ExternalProgram.require("xdotool", "xdotool");
        // A click as well as the motion: button presses always reach the viewer's window.
        ProcessBuilder builder = new ProcessBuilder(xdotool.toString(), "mousemove", "--sync", Integer.toString(x),
                Integer.toString(y), "click", "1").redirectErrorStream(true);
        builder.environment().put("DISPLAY", screen.display());
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("xdotool mousemove failed: " + out);
        }
    }

    /**
     * Captures the screen until it passes the test, e.g. "equals the screendump" or "still and not black".
     *
     * @param ready the test, given each capture
     * @param what what is awaited, for the failure message
     * @param timeout how long to try
     * @return the first capture that passed
     * @throws IOException if the screen cannot be read
     * @throws InterruptedException if interrupted
     */
    public BufferedImage awaitScreen(Predicate<BufferedImage> ready, String what, Duration timeout)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        BufferedImage last = null;
        while (System.nanoTime() < end) {
            if (!viewer.isAlive()) {
                fail("xtigervncviewer (" + settings + ") exited with " + viewer.exitValue() + " before showing "
                        + what + ": " + output());
            }
            last = screen.capture();
            if (ready.test(last)) {
                return last;
            }
            String problem = reportedProblem();
            if (problem != null) {
                Path shot = workDir.resolve("error-screen.png");
                ImageIO.write(last, "png", shot.toFile());
                fail("xtigervncviewer (" + settings + ") reported '" + problem + "' before showing " + what
                        + " (screen saved as " + shot + "); viewer output: " + output());
            }
            Thread.sleep(100);
        }
        Path shot = workDir.resolve("timeout-screen.png");
        if (last != null) {
            ImageIO.write(last, "png", shot.toFile());
        }
        fail("xtigervncviewer (" + settings + ") did not show " + what + " within " + timeout + "; last screen saved as "
                + shot + "; viewer output: " + output() + "; Xvfb: " + ExternalProgram.tail(screen.log(), 1000));
        throw new AssertionError("unreachable");
    }

    /**
     * Waits for a still picture: two captures 300 ms apart that are equal and not all black.
     *
     * @param timeout how long to try
     * @return the picture
     * @throws IOException if the screen cannot be read
     * @throws InterruptedException if interrupted
     */
    public BufferedImage awaitStillScreen(Duration timeout) throws IOException, InterruptedException {
        BufferedImage[] previous = {null};
        long[] since = {0};
        return awaitScreen(image -> {
            int[] now = pixels(image);
            boolean same = previous[0] != null && java.util.Arrays.equals(now, pixels(previous[0]));
            if (!same) {
                previous[0] = image;
                since[0] = System.nanoTime();
                return false;
            }
            return System.nanoTime() - since[0] > 300_000_000L && java.util.Arrays.stream(now).anyMatch(p -> p != 0);
        }, "a still, non-black picture", timeout);
    }

    /**
     * @param text a piece of the viewer's log, e.g. "Authentication failed"
     * @param timeout how long to wait
     * @throws InterruptedException if interrupted
     */
    public void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (output.indexOf(text) >= 0) {
                return;
            }
            if (!viewer.isAlive()) {
                outputPump.join(2000);
                if (output.indexOf(text) >= 0) {
                    return;
                }
                break;
            }
            Thread.sleep(100);
        }
        fail("xtigervncviewer (" + settings + ") did not print '" + text + "' within " + timeout + "; it printed: "
                + output());
    }

    /**
     * @return the first line where the viewer logged an exception or error (it then shows a dialog and waits for a
     *         click, so it would otherwise only time out), or null
     */
    private String reportedProblem() {
        for (String line : output.toString().split("\n")) {
            if (line.contains("Exception") || line.contains("rror")) {
                return line.strip();
            }
        }
        return null;
    }

    /** @return the viewer's stdout and stderr so far (its log goes to stderr) */
    public String output() {
        return ExternalProgram.tail(output, 4000);
    }

    /** @return whether the viewer process still runs */
    public boolean isAlive() {
        return viewer.isAlive();
    }

    @Override
    public void close() throws IOException {
        closing = true;
        viewer.destroy();
        try {
            if (!viewer.waitFor(5, TimeUnit.SECONDS)) {
                viewer.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            outputPump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            viewer.destroyForcibly();
        } finally {
            screen.close();
            Files.writeString(workDir.resolve("xtigervncviewer.log"), output);
        }
    }

    private void pump(InputStream in) {
        byte[] buffer = new byte[4096];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            if (!closing) {
                output.append("[reading the viewer's output failed: ").append(e).append(']');
            }
        }
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
