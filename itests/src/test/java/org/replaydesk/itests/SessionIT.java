package org.replaydesk.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.session.ModeSwitch;
import org.replaydesk.api.session.SessionEvents;
import org.replaydesk.api.session.SessionInfo;
import org.replaydesk.api.session.SessionMode;
import org.replaydesk.api.session.SessionService;

/**
 * Adaptive sessions on real VMs in one container: a viewer stays connected to a session while the operator switches
 * it to replay (snapshot, dual mode, replay) and back; after each switch the viewer shows exactly the screen of the
 * VM it now watches; every transition is in the switch log and arrives as an EventAdmin event; the session survives
 * its viewer leaving; bad requests get clear errors.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SessionIT extends ReplayDeskTestSupport {

    private static final String REC = "ses-rec";
    private static final String PLAIN = "ses-plain";
    private static final Duration REPLAY_TIMEOUT = Duration.ofMinutes(5);

    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());

    @After
    public void removeVms() {
        SessionService sessions = service(SessionService.class);
        for (SessionInfo s : sessions.sessions()) {
            try {
                sessions.close(s.id());
            } catch (RuntimeException e) {
                System.err.println("session close: " + e);
            }
        }
        cleanup(REC + "-replay", REC, PLAIN);
    }

    @Test
    public void aViewerStaysConnectedAcrossSwitchesToReplayAndBack() throws Exception {
        ServiceRegistration<EventHandler> handler = listenToSessionEvents();
        try {
            execute("desk:vm-create --workload anim " + REC);
            execute("desk:vm-start " + REC);
            awaitGuestReady(REC);

            // Bad requests, each with an error that names the problem.
            assertTrue(executeExpectingError("desk:session-open nosuchvm").contains("no VM nosuchvm"));
            assertTrue(executeExpectingError("desk:session-mode s99 replay").contains("no session 's99'"));
            assertTrue(executeExpectingError("desk:session-metrics s99").contains("no session 's99'"));
            String unknownPolicy = executeExpectingError("desk:policy-set nosuchpolicy");
            assertTrue(unknownPolicy, unknownPolicy.contains("no policy 'nosuchpolicy' is installed"));
            String otherClient = executeExpectingError("desk:session-open --client desk-17.example.org " + REC);
            assertTrue(otherClient, otherClient.contains("is not this host"));

            // Only the operator switches in this test: the default policy (paper) would move an animation to
            // replay by itself after its 20 s window (PolicyIT covers that); pinned (display) keeps it still.
            execute("desk:policy-set pinned");
            String opened = execute("desk:session-open " + REC);
            Matcher m = Pattern.compile("Session (s\\d+) on .*::(\\d+)").matcher(opened);
            assertTrue(opened, m.find());
            String id = m.group(1);
            int port = Integer.parseInt(m.group(2));
            assertTrue(executeExpectingError("desk:session-open " + REC).contains("already has session " + id));
            String badMode = executeExpectingError("desk:session-mode " + id + " sideways");
            assertTrue(badMode, badMode.contains("unknown mode 'sideways': use display, replay or auto"));

            try (RawRfbClient viewer = new RawRfbClient(port)) {
                await("the viewer to get updates", Duration.ofSeconds(20), () -> viewer.updates() > 3);
                await("the session to count its viewer", Duration.ofSeconds(10), () -> info(id).viewers() == 1);
                metricsInDisplayMode(id);
                sameScreen(viewer, REC, "display-first");

                execute("desk:session-mode " + id + " replay");
                await("the session to reach replay", REPLAY_TIMEOUT, () -> info(id).mode() == SessionMode.REPLAY);
                ModeSwitch toReplay = last(id);
                report("display -> replay: %d ms from the decision (server stall %d ms): %s",
                        toReplay.latency().toMillis(), toReplay.serverStall().orElseThrow().toMillis(),
                        toReplay.reason());
                assertEquals("the viewer was never dropped", 1, info(id).viewers());
                long updates = viewer.updates();
                await("the viewer to get the replayer's updates", Duration.ofSeconds(20),
                        () -> viewer.updates() > updates + 3);
                sameScreen(viewer, REC + "-replay", "replay");

                execute("desk:session-mode " + id + " display");
                await("the session to return to display", Duration.ofSeconds(30),
                        () -> info(id).mode() == SessionMode.DISPLAY);
                ModeSwitch toDisplay = last(id);
                report("replay -> display: %d ms (target < 50 ms)", toDisplay.latency().toMillis());
                assertTrue("replay -> display took " + toDisplay.latency().toMillis() + " ms",
                        toDisplay.latency().toMillis() < 2_000);
                assertEquals(1, info(id).viewers());
                sameScreen(viewer, REC, "display-again");
                await("the replayer to stop", Duration.ofSeconds(30),
                        () -> hypervisor().find(VmName.of(REC + "-replay")).isEmpty());

                List<String> path = service(SessionService.class).history(id).stream()
                        .map(s -> s.from() + "->" + s.to()).toList();
                assertEquals(List.of("DISPLAY->SNAPSHOTTING", "SNAPSHOTTING->DUAL", "DUAL->REPLAY", "REPLAY->DISPLAY"),
                        path);
                String history = execute("desk:session-history " + id);
                assertTrue(history, history.contains("operator") && history.contains("stall"));
                await("four MODE_CHANGED events", Duration.ofSeconds(10), () -> modeChanges(id).size() == 4);
                assertEquals(path, modeChanges(id));
                String list = execute("desk:session-list");
                assertTrue(list, list.contains(id) && list.contains("DISPLAY"));
                assertEquals("local", info(id).server());
            }

            // The session outlives its viewer; a new viewer gets the current screen.
            Thread.sleep(2_000);
            assertEquals(SessionMode.DISPLAY, info(id).mode());
            assertEquals(0, info(id).viewers());
            try (RawRfbClient again = new RawRfbClient(port)) {
                await("the new viewer to get updates", Duration.ofSeconds(20), () -> again.updates() > 3);
                sameScreen(again, REC, "reconnected");
            }

            // A mode the client cannot do: a VM that is not recorded cannot be replayed.
            execute("desk:vm-create --no-record --workload idle " + PLAIN);
            execute("desk:vm-start " + PLAIN);
            String plainOpened = execute("desk:session-open " + PLAIN);
            Matcher pm = Pattern.compile("Session (s\\d+)").matcher(plainOpened);
            assertTrue(plainOpened, pm.find());
            String cannot = executeExpectingError("desk:session-mode " + pm.group(1) + " replay");
            assertTrue(cannot, cannot.contains("cannot replay") && cannot.contains("does not run under record"));
            execute("desk:session-close " + pm.group(1));

            execute("desk:session-close " + id);
            assertEquals("the VM keeps running after its session closed", VmState.RUNNING, state(REC));
            assertTrue(executeExpectingError("desk:session-history " + id).contains("no session"));
            await("OPENED and CLOSED events", Duration.ofSeconds(10), () -> topics(id).contains(SessionEvents.CLOSED));
            assertTrue(topics(id).contains(SessionEvents.OPENED));
        } finally {
            handler.unregister();
        }
    }

    /**
     * What the session's policy sees, read as an operator reads it ({@code desk:session-metrics}), once the session
     * has run in display mode for a few ticks (about one a second) and before anything pauses the recorder.
     */
    private void metricsInDisplayMode(String id) throws Exception {
        // The VM's CPU load compares two readings of its QEMU's /proc/PID/stat, so it is known from the second tick.
        await("the session's metrics to know the VM's CPU load", Duration.ofSeconds(20),
                () -> service(SessionService.class).metrics(id).filter(m -> Double.isFinite(m.vmCpuLoad()))
                        .isPresent());
        Map<String, String> metrics = sessionMetrics(id);
        assertEquals(metrics.toString(), id, metrics.get("session"));
        assertEquals(metrics.toString(), "DISPLAY", metrics.get("mode"));
        // The recorder emulates its animation under TCG on this host's CPU: a running QEMU is never idle.
        double vmCpuLoad = metric(metrics, "vmCpuLoad");
        assertTrue("vmCpuLoad " + vmCpuLoad + " in " + metrics, Double.isFinite(vmCpuLoad) && vmCpuLoad > 0);
        // REC was created without --network: QEMU gets no NIC (-net none) and librrflush no counters file, so
        // VirtualMachine.networkBytes is empty and the policy is told NaN (unknown), never a made-up 0.
        double vmNetwork = metric(metrics, "vmNetworkBytesPerSecond");
        assertTrue("vmNetworkBytesPerSecond " + vmNetwork + " for a VM without a network", Double.isNaN(vmNetwork));
        report("metrics in display mode (age %s ms): vmCpuLoad %s cores, vmNetworkBytesPerSecond %s, "
                + "displayBytesPerSecond %s, replayBytesPerSecond %s (estimated), roundTrip %s ms",
                metrics.get("age"), metrics.get("vmCpuLoad"), metrics.get("vmNetworkBytesPerSecond"),
                metrics.get("displayBytesPerSecond"), metrics.get("replayBytesPerSecond"), metrics.get("roundTrip"));
    }

    /**
     * Pauses the recorder; if {@code vm} is its replayer, runs that to the recorder's instruction count; then waits
     * until the viewer's framebuffer equals {@code vm}'s screen pixel for pixel.
     */
    private void sameScreen(RawRfbClient viewer, String vm, String label) throws Exception {
        VirtualMachine recorder = hypervisor().get(VmName.of(REC));
        VirtualMachine replayer = vm.equals(REC) ? null : hypervisor().get(VmName.of(vm));
        long icount = recorder.pause();
        try {
            if (replayer != null) {
                replayer.runUntil(icount, Duration.ofSeconds(120));
            }
            BufferedImage expected = screen(vm, "session-" + label);
            assertFalse("screen of " + vm + " is blank", isBlank(expected));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            long differing;
            do {
                differing = differing(viewer.frame(), viewer.width, expected);
                if (differing == 0) {
                    break;
                }
                Thread.sleep(100);
            } while (System.nanoTime() < deadline);
            report("%s: the viewer's screen differs from %s's in %d pixels", label, vm, differing);
            assertEquals(label + ": pixels that differ between the viewer and " + vm, 0, differing);
        } finally {
            recorder.resume();
            if (replayer != null) {
                replayer.resume();
            }
        }
    }

    private ServiceRegistration<EventHandler> listenToSessionEvents() {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, "org/replaydesk/session/*");
        return bundleContext.registerService(EventHandler.class, events::add, props);
    }

    private List<String> modeChanges(String id) {
        synchronized (events) {
            return events.stream()
                    .filter(e -> e.getTopic().equals(SessionEvents.MODE_CHANGED)
                            && id.equals(e.getProperty(SessionEvents.SESSION)))
                    .map(e -> e.getProperty(SessionEvents.FROM) + "->" + e.getProperty(SessionEvents.TO)).toList();
        }
    }

    private List<String> topics(String id) {
        synchronized (events) {
            return events.stream().filter(e -> id.equals(e.getProperty(SessionEvents.SESSION)))
                    .map(Event::getTopic).toList();
        }
    }

    private void report(String format, Object... args) throws IOException {
        String line = String.format(Locale.ROOT, format, args);
        System.err.println("SessionIT: " + line);
        Files.writeString(workDir().resolve("session-it-results.txt"), line + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
}
