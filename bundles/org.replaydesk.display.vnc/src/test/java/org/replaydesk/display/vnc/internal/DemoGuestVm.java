package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.replaydesk.display.vnc.viewers.ExternalProgram;
import org.replaydesk.qmp.QmpClient;

/**
 * A real QEMU 7.2 (TCG) running the demo guest's {@code anim} workload with its VNC server on a unix socket, as the
 * QEMU driver runs VMs. The interop tests let it animate, pause it with QMP {@code stop} and take QEMU's own
 * {@code screendump} as the reference every viewer must reproduce.
 */
final class DemoGuestVm implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DemoGuestVm.class);

    private final Path dir;
    private final Process qemu;

    private DemoGuestVm(Path dir, Process qemu) {
        this.dir = dir;
        this.qemu = qemu;
    }

    /**
     * @param vncOptions appended to {@code -vnc unix:<socket>}, e.g. ",websocket=127.0.0.1:5799", or ""
     * @return the running VM (close it)
     * @throws IOException if the temporary folder cannot be made
     */
    static DemoGuestVm start(String vncOptions) throws IOException {
        Path guest = Path.of(System.getProperty("replaydesk.guest.dir", "../../native-hooks/target/guest"))
                .toAbsolutePath().normalize();
        for (String file : List.of("vmlinuz", "initrd.gz")) {
            assertTrue(Files.isRegularFile(guest.resolve(file)), "demo guest file " + guest.resolve(file)
                    + " is missing: build native-hooks (mvn -pl native-hooks package) or set -Dreplaydesk.guest.dir");
        }
        Path qemuPath = ExternalProgram.require("qemu-system-x86_64", "qemu-system-x86");
        // Unix socket paths are limited to 107 bytes: keep them directly under /tmp.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "rdview");
        List<String> cmd = new ArrayList<>(List.of(qemuPath.toString(), "-nodefaults", "-machine", "pc", "-accel",
                "tcg", "-smp", "1", "-m", "256", "-kernel", guest.resolve("vmlinuz").toString(), "-initrd",
                guest.resolve("initrd.gz").toString(), "-append", "console=ttyS0 vga=0x312 quiet rd.wl=anim", "-vga",
                "std", "-display", "none", "-vnc", "unix:" + dir.resolve("vnc.sock") + vncOptions, "-qmp",
                "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off", "-net", "none"));
        Process qemu = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile()).start();
        return new DemoGuestVm(dir, qemu);
    }

    /** @return QEMU's VNC unix socket */
    Path vncSocket() {
        return dir.resolve("vnc.sock");
    }

    /** @return a folder for this VM's tests' files, removed on close */
    Path workDir() {
        return dir;
    }

    /**
     * Waits until the guest has drawn its animation (most of the screen not black), then lets it run a little, so
     * the paused frame has the counter, the bars and the moving square.
     *
     * @param timeout how long the guest may take to boot and draw
     */
    void awaitAnimation(Duration timeout) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long end = start + timeout.toNanos();
        String seen = "no screendump yet";
        while (System.nanoTime() < end) {
            if (!qemu.isAlive()) {
                fail("QEMU exited with " + qemu.exitValue() + ": " + Files.readString(dir.resolve("qemu.log")));
            }
            if (Files.exists(dir.resolve("qmp.sock"))) {
                BufferedImage now = screendump("boot.png");
                long drawn = nonBlack(now);
                seen = now.getWidth() + "x" + now.getHeight() + " with " + drawn + " non-black pixels";
                if (drawn > (long) now.getWidth() * now.getHeight() / 2) {
                    LOG.info("demo guest animating after {} ms", (System.nanoTime() - start) / 1_000_000);
                    Thread.sleep(1000);
                    return;
                }
            }
            Thread.sleep(500);
        }
        fail("the demo guest did not draw its animation within " + timeout + " (last screendump: " + seen + "): "
                + Files.readString(dir.resolve("qemu.log")));
    }

    /**
     * Pauses the VM (QMP stop) and returns QEMU's screendump of the frozen screen.
     *
     * @return the reference picture
     */
    BufferedImage pauseAndScreendump() throws IOException {
        try (QmpClient qmp = QmpClient.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(10))) {
            qmp.stop();
        }
        return screendump("screendump.png");
    }

    private BufferedImage screendump(String name) throws IOException {
        Path file = dir.resolve(name);
        try (QmpClient qmp = QmpClient.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(10))) {
            qmp.screendump(file, "png");
        }
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            fail("QEMU's screendump " + file + " is not a readable PNG");
        }
        return image;
    }

    private static long nonBlack(BufferedImage image) {
        long n = 0;
        for (int p : image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth())) {
            if ((p & 0xFFFFFF) != 0) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        qemu.destroyForcibly();
        qemu.waitFor(10, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
