package org.replaydesk.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.display.vnc.DisplayService;
import org.replaydesk.replay.ReplaySession;
import org.replaydesk.replay.ReplayState;
import org.replaydesk.replay.ReplayStatus;

/**
 * Record/replay end to end in one container, both roles over loopback TCP (through a proxy that can break the log
 * stream): a recorder runs {@code anim}; a client joins 20 s after boot from the snapshotter's boot snapshot, catches
 * up, and at a replay break shows exactly the recorder's screen at the same instruction; keys typed through a viewer
 * of the recorder's display appear on the replayer's display (latency measured); {@code video} (disk reads paged in
 * on demand) replays identically; a second join moves a fraction of the first's chunk bytes; and the faults: a
 * dropped log connection (resumed, still identical), a corrupted cached chunk (fetched again), garbage in the log
 * stream (the client stops with a clear error, the recorder runs on) and a killed FUSE helper (the replay fails
 * cleanly, no QEMU left).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ReplayIT extends ReplayDeskTestSupport {

    private static final String REC = "rr-rec";
    private static final String REPLAYER = REC + "-replay";
    private static final String NET = "rr-net";
    private static final Duration LIVE_TIMEOUT = Duration.ofMinutes(3);

    @After
    public void removeVms() {
        for (String vm : List.of(REC, NET)) {
            try {
                replay().stop(VmName.of(vm));
            } catch (RuntimeException e) {
                System.err.println("replay stop " + vm + ": " + e);
            }
        }
        cleanup(REPLAYER, REC, NET + "-replay", NET);
    }

    /**
     * A VM downloading over its network (rtl8139, packets recorded through filter-replay) replays from a snapshot
     * taken in the middle of the downloads: the replayer's guest completes the next download with the same bytes
     * (its md5 on the serial line) and shows the same screen at two breaks. With virtio-net-pci no such replay got
     * past its first download (benchmarks/network_replay_bench.py); with e1000 a replay from any snapshot diverges
     * (docs/architecture.md, "Network and replay").
     */
    @Test
    public void replayFromASnapshotTakenDuringNetworkTraffic() throws Exception {
        execute("desk:vm-create --network --workload net " + NET);
        execute("desk:vm-start " + NET);
        awaitGuestReady(NET);
        await("a download in the guest", Duration.ofSeconds(90), () -> serialLog(NET).contains("NET: dl 2 ok"));
        // librrflush counts what the recorder's user-mode network moved: two 4 MiB downloads and their requests
        long carried = hypervisor().get(VmName.of(NET)).networkBytes()
                .orElseThrow(() -> new AssertionError("the recorder reports no network byte count"));
        report("network VM: %d bytes through its network after two downloads", carried);
        assertTrue("network bytes " + carried, carried > 8L << 20 && carried < 64L << 20);
        String taken = execute("desk:snapshot-take " + NET);
        assertTrue(taken, taken.toLowerCase(Locale.ROOT).contains("rd-"));
        String started = execute("desk:replay-start --wait 120 --server 127.0.0.1:5690 " + NET, Duration.ofMinutes(3));
        assertTrue(started, started.contains("Live after"));
        // Downloads go on while the replay follows: the replayer's guest finishes one that started before or after
        // the snapshot, from packets that exist only in the record log.
        await("a download completed in the replayer", Duration.ofSeconds(90),
                () -> DOWNLOAD.matcher(serialLog(NET + "-replay")).find());
        Matcher replayed = DOWNLOAD.matcher(serialLog(NET + "-replay"));
        assertTrue(replayed.find());
        assertTrue("the replayer's " + replayed.group() + " is not the recorder's:\n" + serialLog(NET),
                serialLog(NET).contains(replayed.group()));
        report("network VM: the replayer completed %s", replayed.group());

        // Pixel checks pause the recorder; stop the downloads first and let the last packets arrive (a recorder
        // stopped while packets wait for its NIC cannot be replayed through that pause: docs/architecture.md).
        execute("desk:vm-workload " + NET + " anim");
        Thread.sleep(5_000);
        sameScreenAtBreak(NET, "after-network");
        // And it keeps up: a stalled replay (the old failure) falls behind by a second per second.
        Thread.sleep(10_000);
        ReplaySession net = replay().find(VmName.of(NET)).orElseThrow();
        net.awaitLive(Duration.ofSeconds(60));
        sameScreenAtBreak(NET, "after-network-later");
    }

    /** A download the demo guest's {@code net} workload reports: its number, size and md5 ("NET: dl 3 ok ..."). */
    private static final Pattern DOWNLOAD = Pattern.compile("NET: dl \\d+ ok bytes=\\d+ md5=[0-9a-f]{32}");

    @Test
    public void replayFollowsTheRecorderAndSurvivesFaults() throws Exception {
        execute("desk:vm-create --workload anim " + REC);
        execute("desk:vm-start " + REC);
        awaitGuestReady(REC);
        long ready = System.nanoTime();
        await("the snapshotter's boot snapshot", Duration.ofSeconds(90), () -> list().contains("BOOT"));
        // The client joins 20 s after boot: it replays the log written since the boot snapshot.
        Thread.sleep(Math.max(0, 20_000 - (System.nanoTime() - ready) / 1_000_000));

        // The join takes a fresh snapshot first, as a JOIN does: catching up from the 20 s old boot snapshot took
        // 81-106 s on a quiet machine but more than 180 s in CI, where replay runs at only ~1.1x the recorder's speed
        // (docs/benchmarks.md, "Record/replay end to end").
        String taken = execute("desk:snapshot-take " + REC);
        assertTrue(taken, taken.contains("rd-2"));
        try (FaultProxy proxy = new FaultProxy(5690, 5691)) {
            String server = "127.0.0.1:" + proxy.port();
            String started = execute("desk:replay-start --wait 300 --server " + server + " " + REC, Duration.ofMinutes(6));
            assertTrue(started, started.contains("Live after"));
            ReplayStatus first = session().status();
            report("first join: startup %d ms, log %d B (%d B on the wire), chunks %d (%d B, %d B on the wire)",
                    first.startup().orElseThrow().toMillis(), first.logBytes(), first.logWireBytes(),
                    first.chunksFetched(), first.chunkBytes(), first.chunkWireBytes());
            assertTrue("the first join fetched chunks", first.chunkBytes() > 0);
            // Snapshot memory is paged in on demand (docs/architecture.md, "Snapshot memory on demand"): the join
            // moves the pages the replay touches, not all of RAM. 7.6 MiB measured with a cold chunk cache (this
            // test runs first); 5.2-5.6 MiB when the network test ran first and had cached the chunks both VMs
            // share; with RAM inside the vmstate it was 18 MiB (warm), and with Linux's 2 MiB read-around on every
            // fault about 10 MiB (warm).
            assertTrue("first join moved " + first.chunkWireBytes() + " B of chunks on the wire, want < 9 MiB",
                    first.chunkWireBytes() < 9L << 20);
            sameScreenAtBreak("anim");

            // A dropped log connection resumes at the next byte; the replay stays identical.
            int connections = proxy.logConnections();
            proxy.inject(FaultProxy.Fault.DROP);
            await("the log stream to reconnect", Duration.ofSeconds(20), () -> proxy.logConnections() > connections);
            session().awaitLive(LIVE_TIMEOUT);
            assertEquals(ReplayState.LIVE, session().status().state());
            sameScreenAtBreak("anim-after-drop");

            typedKeysReachTheReplayedScreen();
            sameScreenAtBreak("typed");

            execute("desk:vm-workload " + REC + " video");
            Thread.sleep(10_000);
            session().awaitLive(LIVE_TIMEOUT);
            sameScreenAtBreak("video");
            long firstChunks = session().status().chunkBytes();

            chunkServerThatStopsAnsweringIsNamedAsTheStall(proxy);
            divergedReplayRejoins();

            // Rejoin from the same snapshot: the image comes from the local cache. (Not waited for: catching up
            // from that snapshot again would replay minutes of log; the chunks move while QEMU loads the snapshot,
            // before replay-start returns.)
            execute("desk:replay-stop " + REC);
            assertFalse("replayer deleted", hypervisor().find(VmName.of(REPLAYER)).isPresent());
            execute("desk:replay-start --wait 0 --server " + server + " " + REC, Duration.ofMinutes(4));
            long sameSnapshot = session().status().chunkBytes();
            String joined = session().status().snapshot().value();
            report("rejoin, same snapshot: %d chunk bytes (first join %d)", sameSnapshot, firstChunks);
            assertTrue("a rejoin from the same snapshot fetched " + sameSnapshot + " bytes", sameSnapshot < firstChunks / 10);

            // Damage cached chunks of that snapshot's image on disk and join from it again: loadvm reads nearly all of
            // it, every damaged chunk it reads fails its hash check, is dropped and fetched again.
            execute("desk:replay-stop " + REC);
            long corruptedBefore = cacheCorrupted();
            int damaged = damageCachedChunksOf(joined);
            execute("desk:replay-start --wait 0 --snapshot " + joined + " --server " + server + " " + REC,
                    Duration.ofMinutes(4));
            long refetched = session().status().chunkBytes();
            report("rejoin after damaging %d cached chunks: %d detected, %d chunk bytes fetched again", damaged,
                    cacheCorrupted() - corruptedBefore, refetched);
            assertTrue("damaged cached chunks were not detected", cacheCorrupted() > corruptedBefore);
            assertTrue("damaged chunks were not fetched again", refetched > 0);

            // Rejoin from a newer snapshot.
            execute("desk:replay-stop " + REC);
            String newerSnapshot = execute("desk:snapshot-take " + REC);
            assertTrue(newerSnapshot, newerSnapshot.toLowerCase(Locale.ROOT).contains("rd-"));
            execute("desk:replay-start --wait 300 --server " + server + " " + REC, Duration.ofMinutes(6));
            long newer = session().status().chunkBytes();
            report("rejoin, newer snapshot: %d chunk bytes = %.1f%% of the first join's %d", newer,
                    100.0 * newer / firstChunks, firstChunks);
            sameScreenAtBreak("newer-snapshot");
            // QEMU's RAM stream shifts whenever a page turns from zero to data, so with fixed 64 KiB chunks a snapshot
            // after workload switches shared almost nothing with the first (80 of 90 MB moved again). Content-defined
            // chunks find the unchanged pages again: 23% of the first join's bytes here (2026-12-06).
            assertTrue("a rejoin from a newer snapshot fetched " + newer + " bytes, the first join " + firstChunks,
                    newer < firstChunks * 2 / 5);

            // Garbage in the log stream stops the client with a clear error; the recorder runs on.
            proxy.inject(FaultProxy.Fault.GARBAGE);
            await("the replay to fail on garbage", Duration.ofSeconds(30),
                    () -> session().status().state() == ReplayState.FAILED);
            String reason = session().status().failure().orElse("");
            report("garbage: %s", reason);
            assertTrue(reason, reason.contains("record log stream failed"));
            assertEquals("the recorder keeps running", org.replaydesk.api.hypervisor.VmState.RUNNING, state(REC));
            // FAILED is reported at once; the replayer is stopped and deleted right after (ReplayComponent.release).
            await("the failed replayer to be gone", Duration.ofSeconds(30),
                    () -> hypervisor().find(VmName.of(REPLAYER)).isEmpty());
            String status = execute("desk:replay-status " + REC);
            assertTrue(status, status.contains("FAILED") && status.contains("reason"));

            // A killed FUSE helper fails the replay cleanly: a reason, no QEMU left hanging on the dead mount. (Not
            // waited for: the replayer runs, catching up, when the helper dies.)
            execute("desk:replay-start --wait 0 --server " + server + " " + REC, Duration.ofMinutes(4));
            Path replayerDir = vmDir(REPLAYER);
            assertTrue("replayer QEMU runs", processesMentioning(replayerDir).length > 0);
            long[] helpers = processesMentioning(Path.of(System.getProperty("karaf.data"), "replaydesk", "replay", REC));
            assertTrue("rdfuse runs", helpers.length > 0);
            for (long pid : helpers) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            await("the replay to fail on the killed helper", Duration.ofSeconds(30),
                    () -> session().status().state() == ReplayState.FAILED);
            String killed = session().status().failure().orElse("");
            report("killed helper: %s", killed);
            assertTrue(killed, killed.contains("rdfuse"));
            await("no replayer QEMU left", Duration.ofSeconds(20), () -> processesMentioning(replayerDir).length == 0);
            assertEquals(org.replaydesk.api.hypervisor.VmState.RUNNING, state(REC));
        }
    }

    /**
     * A chunk server that stops answering while the guest reads memory the replay has not touched yet (every file of
     * its initramfs): the replayer blocks on the missing chunks, and within seconds the client reports the stall and
     * what it waits for. Released before the pager's 30 s reply timeout, the replay moves on and keeps up.
     */
    private void chunkServerThatStopsAnsweringIsNamedAsTheStall(FaultProxy proxy) throws Exception {
        execute("desk:vm-workload " + REC + " type");
        Thread.sleep(2_000);
        session().awaitLive(LIVE_TIMEOUT);
        proxy.holdChunks(true);
        String stall;
        try {
            execute("desk:vm-type --enter " + REC + " \"find / -xdev -type f -exec cat {} + > /dev/null 2>&1; "
                    + "cat /proc/kallsyms > /dev/null\"");
            long t0 = System.nanoTime();
            await("the client to report the stalled replayer", Duration.ofSeconds(25),
                    () -> session().status().stall().isPresent());
            stall = session().status().stall().orElseThrow();
            report("chunk server silent: stall reported after %d ms: %s", (System.nanoTime() - t0) / 1_000_000, stall);
            String status = execute("desk:replay-status " + REC);
            assertTrue(status, status.contains("STALLED"));
        } finally {
            proxy.holdChunks(false);
        }
        assertTrue(stall, stall.contains("chunks asked for and not delivered"));
        // QEMU names its TCG thread "ALL CPUs/TCG" (one thread for every vCPU) or "CPU 0/TCG".
        assertTrue(stall, stall.contains("/TCG") && stall.contains("page fault on a file mapping"));
        await("the replayer to advance again", Duration.ofSeconds(30), () -> session().status().stall().isEmpty());
        Thread.sleep(5_000);
        sameScreenAtBreak("after-chunk-stall");
    }

    /**
     * An NMI sent to the replayer is not in the record log, so the replay diverges (measured offline: QEMU stalled
     * 74,493 instructions after it). The client must notice within seconds that nothing is missing, end that replay
     * and rejoin from a fresh snapshot of the recorder; the new replayer shows the recorder's screen again.
     */
    private void divergedReplayRejoins() throws Exception {
        execute("desk:vm-workload " + REC + " anim");
        session().awaitLive(LIVE_TIMEOUT);
        ReplaySession diverging = session();
        SnapshotTag before = diverging.status().snapshot();
        long t0 = System.nanoTime();
        execute("desk:vm-nmi " + REPLAYER);
        ReplaySession rejoined = awaitRejoin(REC, diverging);
        assertTrue("no rejoin within 90 s of the NMI; the client says: " + replay().find(VmName.of(REC))
                .map(r -> r.status().toString()).orElse("no session"), rejoined != null);
        ReplayStatus status = rejoined.status();
        report("diverged replay (NMI): rejoined %d ms after the NMI from snapshot %s (was %s): %s",
                (System.nanoTime() - t0) / 1_000_000, status.snapshot(), before, status.rejoin().orElseThrow());
        assertTrue(status.rejoin().orElseThrow(), status.rejoin().orElseThrow().contains("diverged"));
        assertFalse("the rejoin used a fresh snapshot", status.snapshot().equals(before));
        String shown = execute("desk:replay-status " + REC);
        assertTrue(shown, shown.contains("time(s) after a divergence"));
        sameScreenAtBreak("after-rejoin");
    }

    /**
     * Pauses the recorder, runs the replayer to the recorder's instruction count (a replay break) and compares the two
     * screens pixel for pixel; then lets both run on.
     */
    private void sameScreenAtBreak(String label) throws Exception {
        sameScreenAtBreak(REC, label);
    }

    /** The recorder's instruction count at the last break that passed: where a diverged replay was still right. */
    private long previousBreak = -1;

    private void sameScreenAtBreak(String recorderName, String label) throws Exception {
        VirtualMachine recorder = hypervisor().get(VmName.of(recorderName));
        VmName replayerName = VmName.of(recorderName + "-replay");
        long icount = recorder.pause();
        try {
            BufferedImage recorded = screen(recorderName, label + "-recorded");
            long t0 = System.nanoTime();
            try {
                hypervisor().get(replayerName).runUntil(icount, Duration.ofSeconds(120));
            } catch (RuntimeException e) {
                // QEMU 7.2's live replay diverges rarely (about 1 of 40 breaks in CI, docs/architecture.md "Divergence
                // and rejoin"): the client then reports the stall and rejoins from a fresh snapshot, which replaces
                // the replayer. That recovery is the product's answer, so the test accepts it once per run, checks
                // that it happened the way it should, and runs the break again on the new replayer; anything else,
                // or a second divergence, fails with the client's own diagnosis.
                e.printStackTrace();
                String says = replay().find(VmName.of(recorderName)).map(r -> r.status().stall()
                        .orElse(r.status().rejoin().orElse("no stall"))).orElse("no session");
                String failed = label + ": " + e.getMessage() + "; previous break at icount " + previousBreak
                        + "; the replay client says: " + says;
                ReplaySession rejoined = awaitRejoin(recorderName, null);
                if (rejoined == null || rejoinsAccepted > 0) {
                    throw new AssertionError(failed + (rejoined == null ? "" : " (a second divergence in this run)"));
                }
                rejoinsAccepted++;
                report("%s: THE REPLAY DIVERGED and rejoined (%s); the break runs again on the new replayer "
                        + "(first attempt: %s)", label, rejoined.status().rejoin().orElse("?"), failed);
                hypervisor().get(replayerName).runUntil(icount, Duration.ofSeconds(120));
            }
            previousBreak = icount;
            report("%s: replayer reached the break at icount %d %d ms after the recorder paused", label, icount,
                    (System.nanoTime() - t0) / 1_000_000);
            BufferedImage replayed = screen(recorderName + "-replay", label + "-replayed");
            assertFalse("recorded screen is blank", isBlank(recorded));
            assertEquals(label + ": pixels that differ between recorder and replayer at icount " + icount, 0,
                    differingPixels(recorded, replayed));
        } finally {
            // The replayer first: it then runs when the events the recorder logs right after its resume (at the same
            // instruction count, the guest still idle) reach it. In the other order the stopped replayer took them in
            // while paused, and the live replays that diverged did so right after a break (557,140 instructions after
            // it in a CI run of session 9; docs/architecture.md, "Divergence and rejoin").
            hypervisor().find(replayerName).ifPresent(VirtualMachine::resume);
            recorder.resume();
        }
    }

    /** Rejoins of a diverged replay this run accepted (at most one). */
    private int rejoinsAccepted;


    /**
     * Types keys through a viewer of the recorder's display (the viewer path) and times each key until the replayer's
     * display shows its echo. The fbcon cursor blink is switched off first, so the echo is the only change.
     */
    private void typedKeysReachTheReplayedScreen() throws Exception {
        execute("desk:vm-workload " + REC + " type");
        Thread.sleep(2_000);
        execute("desk:vm-type --enter " + REC + " \"echo 0 > /sys/class/graphics/fbcon/cursor_blink; clear\"");
        Thread.sleep(2_000);
        session().awaitLive(LIVE_TIMEOUT);
        DisplayService displays = service(DisplayService.class);
        await("a display for the replayer", Duration.ofSeconds(20),
                () -> displays.display(VmName.of(REPLAYER)).isPresent());
        int serverPort = displays.display(VmName.of(REC)).orElseThrow().address().getPort();
        int clientPort = displays.display(VmName.of(REPLAYER)).orElseThrow().address().getPort();
        List<Long> client = new ArrayList<>();
        List<Long> server = new ArrayList<>();
        try (RawRfbClient typist = new RawRfbClient(serverPort); RawRfbClient watcher = new RawRfbClient(clientPort)) {
            Thread.sleep(1_000);
            for (int i = 0; i < 30; i++) {
                int[] before = watcher.frame();
                int[] serverBefore = typist.frame();
                long t0 = System.nanoTime();
                typist.key('a' + i % 26);
                long seenServer = typist.awaitFrame(f -> !Arrays.equals(f, serverBefore), 5_000);
                long seenClient = watcher.awaitFrame(f -> !Arrays.equals(f, before), 5_000);
                assertTrue("key " + i + " never showed on the replayed screen", seenClient > 0);
                client.add((seenClient - t0) / 1_000_000);
                if (seenServer > 0) {
                    server.add((seenServer - t0) / 1_000_000);
                }
                Thread.sleep(150);
            }
        }
        report("keystroke -> replayed screen: p50 %d ms, p95 %d ms, max %d ms (server's own display: p50 %d ms, p95 %d"
                + " ms) over %d keys", pct(client, 50), pct(client, 95), pct(client, 100), pct(server, 50),
                pct(server, 95), client.size());
        assertTrue("keystroke latency to the replayed screen p95 " + pct(client, 95) + " ms", pct(client, 95) < 1_000);
    }

    private static long pct(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = values.stream().sorted().toList();
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private String list() {
        try {
            return execute("desk:snapshot-list " + REC);
        } catch (Exception e) {
            return "";
        }
    }

    private ReplaySession session() {
        return replay().find(VmName.of(REC)).orElseThrow(() -> new AssertionError("no replay session of " + REC));
    }

    private long cacheCorrupted() throws Exception {
        return service(org.replaydesk.pager.ChunkCache.class).stats().corrupted();
    }

    /**
     * Flips bytes in 32 cached chunks spread over a snapshot's image; returns how many. (Not all of them: a damaged
     * chunk is fetched again alone, one round trip each, and a few thousand would outlast QEMU's start timeout.)
     */
    private int damageCachedChunksOf(String tag) throws IOException {
        Path cache = Path.of(System.getProperty("karaf.data"), "replaydesk", "pager", "cache");
        String imageId = service(org.replaydesk.snapshot.SnapshotService.class).list(VmName.of(REC)).stream()
                .filter(s -> s.tag().value().equals(tag)).findFirst().orElseThrow().imageId();
        var chunks = new java.util.ArrayList<>(
                service(org.replaydesk.pager.ChunkStore.class).manifest(imageId).orElseThrow().distinctChunks());
        int damaged = 0;
        int step = Math.max(1, chunks.size() / 32);
        for (int c = 0; c < chunks.size() && damaged < 32; c += step) {
            Path file = cache.resolve(chunks.get(c).hex());
            if (Files.isRegularFile(file)) {
                byte[] bytes = Files.readAllBytes(file);
                for (int i = 0; i < Math.min(64, bytes.length); i++) {
                    bytes[i] ^= (byte) 0x5a;
                }
                Files.write(file, bytes);
                damaged++;
            }
        }
        assertTrue("no chunk of " + imageId + " is in the cache " + cache, damaged > 0);
        return damaged;
    }

    private void report(String format, Object... args) throws IOException {
        String line = String.format(Locale.ROOT, format, args);
        System.err.println("ReplayIT: " + line);
        Files.writeString(workDir().resolve("replay-it-results.txt"), line + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
}
