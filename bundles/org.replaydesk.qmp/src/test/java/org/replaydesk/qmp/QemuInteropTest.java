package org.replaydesk.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against the installed {@code qemu-system-x86_64} 7.2. A missing QEMU fails these tests on
 * purpose: ReplayDesk cannot run without it, and a skipped interop test would hide that.
 */
@Timeout(30)
class QemuInteropTest {

    private static final Duration CONNECT = Duration.ofSeconds(10);

    @TempDir
    Path tempDir;

    /** Starts a machine-less QEMU (no guest to boot, so it is ready in well under a second). */
    private Process startQemu(Path socket, String... extra) {
        List<String> command = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "none", "-nodefaults",
                "-display", "none"));
        command.addAll(List.of(extra));
        command.addAll(List.of("-qmp", "unix:" + socket + ",server=on,wait=off"));
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(tempDir.resolve("qemu.log").toFile())
                    .start();
        } catch (IOException e) {
            return fail("cannot start qemu-system-x86_64 (install Debian's qemu-system-x86, QEMU 7.2): " + e.getMessage(),
                    e);
        }
    }

    private static void kill(Process qemu) throws InterruptedException {
        if (qemu != null && qemu.isAlive()) {
            qemu.destroyForcibly();
            qemu.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static QmpEvent nextEvent(BlockingQueue<QmpEvent> events, String name) throws InterruptedException {
        QmpEvent event = events.poll(5, TimeUnit.SECONDS);
        assertNotNull(event, "no " + name + " event within 5 s");
        assertEquals(name, event.name());
        return event;
    }

    @Test
    void sessionAgainstRealQemu() throws Exception {
        Path socket = tempDir.resolve("qmp.sock");
        Process qemu = startQemu(socket);
        try {
            BlockingQueue<QmpEvent> events = new LinkedBlockingQueue<>();
            CompletableFuture<Throwable> closed = new CompletableFuture<>();
            QmpClient client = QmpClient.connect(socket, CONNECT, events::add);
            client.addCloseListener(closed::complete);

            QmpGreeting greeting = client.greeting();
            assertTrue(greeting.isVersion(7, 2), "expected QEMU 7.2, got " + greeting);
            assertTrue(greeting.capabilities().contains("oob"), greeting.toString());

            assertEquals(new QmpStatus("running", true), client.queryStatus());
            assertEquals(new ReplayInfo("none", null, 0), client.queryReplay());

            QmpErrorException unknown = assertThrows(QmpErrorException.class,
                    () -> client.execute("no-such-command", Duration.ofSeconds(5)));
            assertEquals("CommandNotFound", unknown.errorClass());
            assertEquals("The command no-such-command has not been found", unknown.description());
            QmpErrorException badArgument = assertThrows(QmpErrorException.class,
                    () -> client.execute("query-status", Map.of("x", 1), Duration.ofSeconds(5)));
            assertEquals("GenericError", badArgument.errorClass());
            assertEquals("Parameter 'x' is unexpected", badArgument.description());

            client.stop();
            assertTrue(nextEvent(events, "STOP").data().isEmpty());
            assertEquals(new QmpStatus("paused", false), client.queryStatus());
            client.cont();
            nextEvent(events, "RESUME");
            assertEquals(new QmpStatus("running", true), client.queryStatus());

            assertEquals("VM status: running\r\n", client.humanMonitorCommand("info status", Duration.ofSeconds(5)));
            QmpException noDisk = assertThrows(QmpException.class, () -> client.savevm("s1", Duration.ofSeconds(1)));
            assertTrue(noDisk.getMessage().contains("no block device can store vmstate"), noDisk.getMessage());

            // several commands in flight at once; QEMU answers them in order, the client matches them by id
            List<CompletableFuture<JsonNode>> inFlight = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                inFlight.add(client.executeAsync(i % 2 == 0 ? "query-status" : "query-version", null));
            }
            for (int i = 0; i < inFlight.size(); i++) {
                JsonNode reply = inFlight.get(i).get(5, TimeUnit.SECONDS);
                assertTrue(reply.has(i % 2 == 0 ? "running" : "qemu"), reply.toString());
            }

            client.quit();
            assertTrue(client.isClosed());
            assertNull(closed.get(5, TimeUnit.SECONDS), "quit is an expected close");
            assertEquals("SHUTDOWN", nextEvent(events, "SHUTDOWN").name());
            assertTrue(qemu.waitFor(5, TimeUnit.SECONDS), "QEMU exits after quit");
            assertEquals(0, qemu.exitValue());
            assertThrows(QmpConnectionClosedException.class, client::queryStatus);
        } finally {
            kill(qemu);
        }
    }

    @Test
    void snapshotsWhileRecording() throws Exception {
        Path disk = tempDir.resolve("rr.qcow2");
        Process qemuImg = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "16M")
                .redirectErrorStream(true).start();
        assertTrue(qemuImg.waitFor(10, TimeUnit.SECONDS) && qemuImg.exitValue() == 0, "qemu-img create failed");
        Path log = tempDir.resolve("replay.bin");
        Path socket = tempDir.resolve("rec.sock");
        Process qemu = startQemu(socket, "-icount", "shift=auto,rr=record,rrfile=" + log,
                "-drive", "file=" + disk + ",if=none,id=rr");
        try (QmpClient client = QmpClient.connect(socket, CONNECT)) {
            ReplayInfo replay = client.queryReplay();
            assertTrue(replay.isRecording(), replay.toString());
            assertEquals(log.toString(), replay.filename());

            assertEquals(List.of(), client.listSnapshots());
            SavevmResult saved = client.savevm("s1", Duration.ofSeconds(5));
            assertEquals("s1", saved.tag());
            assertTrue(saved.attempts() >= 1);
            List<SnapshotInfo> snapshots = client.listSnapshots();
            assertEquals(1, snapshots.size(), snapshots.toString());
            assertEquals("s1", snapshots.get(0).tag());
            assertTrue(snapshots.get(0).icount().isPresent(), "ICOUNT column is filled under -icount");

            QmpException missing = assertThrows(QmpException.class, () -> client.loadvm("nosuch"));
            assertTrue(missing.getMessage().contains("Snapshot 'nosuch' does not exist"), missing.getMessage());
            client.delvm("s1");
            assertEquals(List.of(), client.listSnapshots());

            // a guest somebody paused stays paused through a stopped snapshot, at the same instruction
            client.stop();
            long pausedAt = client.queryReplay().icount();
            List<Long> seen = new ArrayList<>();
            client.savevmStopped("s2", Duration.ofSeconds(5), () -> seen.add(client.queryReplay().icount()));
            assertEquals(List.of(pausedAt), seen, "the hook saw the paused guest");
            assertFalse(client.queryStatus().running(), "savevmStopped resumed a guest that was paused before");
            Thread.sleep(200);
            assertEquals(pausedAt, client.queryReplay().icount(), "the paused guest ran on");
            client.cont();
            assertTrue(client.queryStatus().running());
            client.savevmStopped("s3", Duration.ofSeconds(5), () -> seen.add(-1L));
            assertTrue(client.queryStatus().running(), "a running guest runs again after a stopped snapshot");

            // record/replay allows breakpoints only while replaying
            QmpErrorException notPlaying = assertThrows(QmpErrorException.class, () -> client.replayBreak(1000));
            assertEquals("setting the breakpoint is allowed only in play mode", notPlaying.description());
        } finally {
            kill(qemu);
        }
        assertTrue(Files.exists(log), "QEMU wrote the replay log");
    }

    @Test
    void qemuDyingFailsThePendingCallAndTellsTheOwner() throws Exception {
        Path socket = tempDir.resolve("die.sock");
        Process qemu = startQemu(socket);
        try (QmpClient client = QmpClient.connect(socket, CONNECT)) {
            CompletableFuture<Throwable> closed = new CompletableFuture<>();
            client.addCloseListener(closed::complete);
            qemu.destroyForcibly();
            Throwable cause = closed.get(5, TimeUnit.SECONDS);
            assertNotNull(cause, "QEMU dying is an unexpected close");
            assertInstanceOf(QmpConnectionClosedException.class, cause);
            assertThrows(QmpConnectionClosedException.class, client::queryStatus);
            assertFalse(qemu.isAlive() && !qemu.waitFor(5, TimeUnit.SECONDS));
        } finally {
            kill(qemu);
        }
    }
}
