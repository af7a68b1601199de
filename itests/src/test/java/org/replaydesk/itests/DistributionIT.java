package org.replaydesk.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The distribution as an operator runs it: unpacked from the tar.gz, started with bin/start,
 * driven with bin/client, stopped with bin/stop and started again. Proves that a VM definition
 * survives a container restart and that stopping the container leaves no QEMU process.
 */
public class DistributionIT {

    private Path home;
    private int sshPort;

    @Before
    public void unpack() throws Exception {
        String assembly = System.getProperty("replaydesk.assembly");
        Path work = Path.of(System.getProperty("replaydesk.itest.dir", "target/itest-work"));
        Files.createDirectories(work);
        Path target = Files.createTempDirectory(work, "dist-");
        run(List.of("tar", "xzf", assembly, "-C", target.toString(), "--strip-components=1"), target, Duration.ofMinutes(2));
        home = target;
        sshPort = ReplayDeskTestSupport.freePort();
        replaceLine(home.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort", "sshPort = " + sshPort);
        replaceLine(home.resolve("etc/org.replaydesk.hypervisor.qemu.cfg"), "vnc.loopback.port.base", "vnc.loopback.port.base = 5980");
        replaceLine(home.resolve("etc/org.replaydesk.hypervisor.qemu.cfg"), "net.server.port",
                "net.server.port = " + ReplayDeskTestSupport.freePort());
    }

    @After
    public void stopContainer() throws Exception {
        if (home != null && Files.exists(home.resolve("bin/stop"))) {
            run(List.of(home.resolve("bin/stop").toString()), home, Duration.ofMinutes(1));
            awaitStopped();
        }
    }

    @Test
    public void definitionSurvivesARestartAndStoppingKarafLeavesNoQemu() throws Exception {
        start();
        String created = client("desk:vm-create --workload idle --memory 192 keeper");
        assertTrue(created, created.contains("VM keeper created"));
        String started = client("desk:vm-start keeper");
        assertTrue(started, started.contains("RUNNING"));
        Path vmDir = home.resolve("data/replaydesk/vms/keeper");
        assertTrue("QEMU runs", ReplayDeskTestSupport.processesMentioning(vmDir).length > 0);

        run(List.of(home.resolve("bin/stop").toString()), home, Duration.ofMinutes(1));
        awaitStopped();
        assertArrayEquals("QEMU processes left after bin/stop", new long[0], ReplayDeskTestSupport.processesMentioning(vmDir));

        start();
        String listed = client("desk:vm-list --no-format");
        assertTrue(listed, Pattern.compile("keeper\tSTOPPED\trecord\t-\t\\d+\t0s\tidle").matcher(listed).find());
        String info = client("desk:vm-info keeper");
        assertTrue(info, info.contains("192 MiB"));
        String again = client("desk:vm-start keeper");
        assertTrue(again, again.contains("RUNNING"));
    }

    private void start() throws Exception {
        run(List.of(home.resolve("bin/start").toString()), home, Duration.ofMinutes(1));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try {
                String out = client("desk:vm-list --no-format");
                if (out.contains("Name\tState")) {
                    return;
                }
            } catch (AssertionError e) {
                // not up yet
            }
            assertTrue("container did not answer within 120 s", System.nanoTime() < deadline);
            Thread.sleep(1000);
        }
    }

    private void awaitStopped() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (ReplayDeskTestSupport.processesMentioning(home.resolve("lib")).length == 0) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Karaf in " + home + " did not stop within 60 s");
    }

    /** Runs shell commands in batch mode (bin/client -b), as a script would. */
    private String client(String command) throws Exception {
        List<String> cmd = List.of(home.resolve("bin/client").toString(), "-a", Integer.toString(sshPort), "-u", "karaf", "-p",
                "karaf", "-r", "1", "-b");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        p.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/client did not finish: " + command);
        }
        System.err.println("client> " + command + "\n" + out);
        if (p.exitValue() != 0 || out.contains("Error executing command")) {
            throw new AssertionError("bin/client '" + command + "' failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    private static String run(List<String> cmd, Path dir, Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        File log = File.createTempFile("run", ".log");
        pb.redirectOutput(log);
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish within " + timeout.toSeconds() + " s");
        }
        String out = Files.readString(log.toPath());
        log.delete();
        assertEquals(cmd + " failed: " + out, 0, p.exitValue());
        return out;
    }

    private static void replaceLine(Path file, String key, String line) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        boolean found = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("\\s*" + Pattern.quote(key) + "\\s*=.*")) {
                lines.set(i, line);
                found = true;
            }
        }
        if (!found) {
            lines.add(line);
        }
        Files.write(file, lines);
    }
}
