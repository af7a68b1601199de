package org.replaydesk.itests;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The distribution as an operator runs it, outside the test's own container: unpacked from the tar.gz into a folder
 * of its own, configured by editing etc/*.cfg, started with bin/start, driven with bin/client in batch mode, stopped
 * with bin/stop. Used for a restart test and as the second host of a two-container test.
 */
final class KarafDistribution implements AutoCloseable {

    final Path home;
    final int sshPort;

    /**
     * @param name folder name prefix under the itest work folder
     * @param settings "file.cfg" -> key=value lines to set (the file is created when missing)
     */
    KarafDistribution(String name, Map<String, Map<String, String>> settings) throws Exception {
        String assembly = System.getProperty("replaydesk.assembly");
        Path work = Path.of(System.getProperty("replaydesk.itest.dir", "target/itest-work"));
        Files.createDirectories(work);
        home = Files.createTempDirectory(work, name + "-");
        run(List.of("tar", "xzf", assembly, "-C", home.toString(), "--strip-components=1"), home, Duration.ofMinutes(2));
        sshPort = ReplayDeskTestSupport.freePort();
        set("org.apache.karaf.shell.cfg", "sshPort", Integer.toString(sshPort));
        set("org.replaydesk.hypervisor.qemu.cfg", "net.server.port", Integer.toString(ReplayDeskTestSupport.freePort()));
        for (var file : settings.entrySet()) {
            for (var kv : file.getValue().entrySet()) {
                set(file.getKey(), kv.getKey(), kv.getValue());
            }
        }
    }

    void set(String cfg, String key, String value) throws IOException {
        Path file = home.resolve("etc").resolve(cfg);
        List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file)) : new ArrayList<>();
        boolean found = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("\\s*" + Pattern.quote(key) + "\\s*=.*")) {
                lines.set(i, key + " = " + value);
                found = true;
            }
        }
        if (!found) {
            lines.add(key + " = " + value);
        }
        Files.write(file, lines);
    }

    /** bin/start, then waits until the desk commands answer. */
    void start() throws Exception {
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

    /** bin/stop, then waits until the JVM has gone. */
    void stop() throws Exception {
        run(List.of(home.resolve("bin/stop").toString()), home, Duration.ofMinutes(1));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (ReplayDeskTestSupport.processesMentioning(home.resolve("lib")).length == 0) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Karaf in " + home + " did not stop within 60 s");
    }

    @Override
    public void close() throws Exception {
        if (Files.exists(home.resolve("bin/stop")) && ReplayDeskTestSupport.processesMentioning(home.resolve("lib")).length > 0) {
            stop();
        }
    }

    /** Runs shell commands in batch mode (bin/client -b), as a script would; fails on a command error. */
    String client(String command) throws Exception {
        List<String> cmd = List.of(home.resolve("bin/client").toString(), "-a", Integer.toString(sshPort), "-u", "karaf",
                "-p", "karaf", "-r", "1", "-b");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        p.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/client did not finish: " + command);
        }
        System.err.println(home.getFileName() + "> " + command + "\n" + out);
        if (p.exitValue() != 0 || out.contains("Error executing command")) {
            throw new AssertionError("bin/client '" + command + "' failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    static String run(List<String> cmd, Path dir, Duration timeout) throws Exception {
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
}
