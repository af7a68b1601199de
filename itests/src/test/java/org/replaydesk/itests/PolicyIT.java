package org.replaydesk.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.replaydesk.api.session.ModeSwitch;
import org.replaydesk.api.session.PolicyInfo;
import org.replaydesk.api.session.SessionInfo;
import org.replaydesk.api.session.SessionMode;
import org.replaydesk.api.session.SessionService;

/**
 * Policies on a running session, in one container with a real recorded VM and a viewer connected all along: the
 * default {@code paper} policy switches an animation to replay on its own; the operator swaps to {@code pinned}
 * (display) and the session follows; a third-party policy bundle (the example module, as built by this reactor) is
 * installed at run time as a feature, chosen, and starts deciding; uninstalling it falls back to {@code paper}; an
 * invalid {@code snowbird} profile is refused with the field at fault in the log and takes that policy out of service
 * until it is fixed. The viewer and the
 * session id never change.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PolicyIT extends ReplayDeskTestSupport {

    private static final String VM = "pol-anim";
    private static final Duration SWITCH_TIMEOUT = Duration.ofMinutes(5);
    private static final String EXAMPLE_POLICY = "example-bandwidth-cap";
    private static final String EXAMPLE_FEATURE = "example-bandwidth-cap-policy";

    @After
    public void removeVms() throws Exception {
        SessionService sessions = service(SessionService.class);
        for (SessionInfo s : sessions.sessions()) {
            try {
                sessions.close(s.id());
            } catch (RuntimeException e) {
                System.err.println("session close: " + e);
            }
        }
        for (String pid : List.of("org.replaydesk.policy.pinned", "org.replaydesk.policy.snowbird",
                "com.example.replaydesk.policy.bandwidthcap")) {
            Configuration c = config(pid);
            if (c.getProperties() != null) {
                c.delete();
            }
        }
        cleanup(VM + "-replay", VM);
    }

    @Test
    public void policiesSwapUnderARunningSessionWithoutDroppingItsViewer() throws Exception {
        List<String> shipped = policyNames();
        assertTrue("shipped policies: " + shipped, shipped.containsAll(List.of("paper", "pinned", "snowbird")));
        assertEquals("the default policy is active", "paper", activePolicy());
        String listed = execute("desk:policy-list");
        assertTrue(listed, listed.contains("paper") && listed.contains("snowbird") && listed.contains("pinned"));

        // pinned waits for display while it is not chosen; configured before, retuned below without a restart
        update("org.replaydesk.policy.pinned", "mode", "replay");

        execute("desk:vm-create --workload anim " + VM);
        execute("desk:vm-start " + VM);
        awaitGuestReady(VM);
        String opened = execute("desk:session-open " + VM);
        Matcher m = Pattern.compile("Session (s\\d+) on .*::(\\d+)").matcher(opened);
        assertTrue(opened, m.find());
        String id = m.group(1);
        int port = Integer.parseInt(m.group(2));

        try (RawRfbClient viewer = new RawRfbClient(port)) {
            await("the viewer to get updates", Duration.ofSeconds(20), () -> viewer.updates() > 3);

            // 1. the default policy, on its own: an animation is cheaper to replay than to send as pixels
            await("paper to switch the animation to replay", SWITCH_TIMEOUT,
                    () -> info(id).mode() == SessionMode.REPLAY);
            ModeSwitch start = firstDecisionBy(id, "paper", SessionMode.DISPLAY)
                    .orElseThrow(() -> new AssertionError("no switch decided by paper: " + history(id)));
            assertTrue(start.reason(), start.reason().contains("replay"));
            assertEquals(1, info(id).viewers());

            // 2. hot swap to pinned; its mode is retuned live to display
            update("org.replaydesk.policy.pinned", "mode", "display");
            execute("desk:policy-set pinned");
            assertEquals("pinned", activePolicy());
            await("pinned to bring the session back to display", Duration.ofSeconds(30),
                    () -> info(id).mode() == SessionMode.DISPLAY);
            assertEquals("pinned", last(id).decidedBy());
            assertEquals("the viewer was never dropped", 1, info(id).viewers());
            long updates = viewer.updates();
            await("the viewer to keep getting updates", Duration.ofSeconds(20), () -> viewer.updates() > updates + 3);

            // 3. a third-party policy installed at run time, as its feature, and chosen
            String repo = deployExampleToSystemRepository();
            execute("feature:repo-add " + repo);
            // a cap of 1 byte/s: any display traffic is over it; any client CPU is acceptable
            update("com.example.replaydesk.policy.bandwidthcap", "cap.bytes.per.second", 1L);
            update("com.example.replaydesk.policy.bandwidthcap", "max.client.cpu", 1.0d);
            execute("feature:install " + EXAMPLE_FEATURE);
            await("the example policy to register", Duration.ofSeconds(60),
                    () -> policyNames().contains(EXAMPLE_POLICY));
            execute("desk:policy-set " + EXAMPLE_POLICY);
            assertEquals(EXAMPLE_POLICY, info(id).policy());
            await("the example policy to decide a switch", SWITCH_TIMEOUT,
                    () -> firstDecisionBy(id, EXAMPLE_POLICY, SessionMode.DISPLAY).isPresent());
            ModeSwitch byExample = firstDecisionBy(id, EXAMPLE_POLICY, SessionMode.DISPLAY).orElseThrow();
            assertTrue(byExample.reason(), byExample.reason().startsWith(EXAMPLE_POLICY + ":"));
            assertEquals(1, info(id).viewers());

            // 4. uninstalling the chosen policy falls back to the default; the session goes on
            execute("feature:uninstall " + EXAMPLE_FEATURE);
            await("the example policy to go away", Duration.ofSeconds(60),
                    () -> !policyNames().contains(EXAMPLE_POLICY));
            assertEquals("paper", activePolicy());
            assertEquals("paper", info(id).policy());
            assertEquals("same session, same viewer", 1, info(id).viewers());
            execute("desk:session-mode " + id + " display");
            await("the session to settle in display", SWITCH_TIMEOUT, () -> info(id).mode() == SessionMode.DISPLAY);
            long later = viewer.updates();
            await("the viewer to keep getting updates", Duration.ofSeconds(20), () -> viewer.updates() > later + 3);
        }

        // 5. an invalid snowbird profile is refused at load with the field at fault in the log: every configuration
        // change re-creates the policy, so an invalid one takes it out of service until it is fixed
        update("org.replaydesk.policy.snowbird", "profile.json",
                "{\"name\":\"broken\",\"initial\":\"display\",\"states\":{\"display\":{\"mode\":\"display\"}},"
                        + "\"rules\":[{\"from\":\"display\",\"to\":\"replai\",\"when\":[]}]}");
        await("snowbird to leave service", Duration.ofSeconds(30), () -> !policyNames().contains("snowbird"));
        await("the log to name the bad field", Duration.ofSeconds(30),
                () -> logLinesMentioning("replai").contains("rules[0].to"));
        String gone = executeExpectingError("desk:policy-set snowbird");
        assertTrue(gone, gone.contains("no policy 'snowbird' is installed"));
        config("org.replaydesk.policy.snowbird").delete();
        await("snowbird to come back with its default profile", Duration.ofSeconds(30),
                () -> policyNames().contains("snowbird"));
        assertEquals("the session survived everything", id, service(SessionService.class).sessions().get(0).id());
    }

    /**
     * Puts the example module's bundle and features XML into this container's {@code system/} folder, a Maven-layout
     * repository Karaf resolves {@code mvn:} URLs from, as an operator without a Maven repository server would.
     *
     * @return the features repository URL to add
     */
    private String deployExampleToSystemRepository() throws IOException {
        Path jar = Path.of(System.getProperty("replaydesk.example.policy.jar"));
        Path features = Path.of(System.getProperty("replaydesk.example.policy.features"));
        assertTrue("example bundle " + jar, Files.isRegularFile(jar));
        assertTrue("example features " + features, Files.isRegularFile(features));
        String version = System.getProperty("replaydesk.example.policy.version");
        Path dir = Path.of(System.getProperty("karaf.home"), "system", "com", "example", "replaydesk",
                "bandwidth-cap-policy", version);
        Files.createDirectories(dir);
        Files.copy(jar, dir.resolve("bandwidth-cap-policy-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(features, dir.resolve("bandwidth-cap-policy-" + version + "-features.xml"),
                StandardCopyOption.REPLACE_EXISTING);
        return "mvn:com.example.replaydesk/bandwidth-cap-policy/" + version + "/xml/features";
    }

    private String logLinesMentioning(String text) {
        Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        StringBuilder out = new StringBuilder();
        try {
            for (String line : Files.readAllLines(log)) {
                if (line.contains(text)) {
                    out.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + log + ": " + e, e);
        }
        return out.toString();
    }

    private void update(String pid, String key, Object value) throws IOException {
        Configuration c = config(pid);
        Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        props.put(key, value);
        c.update(props);
    }

    private Configuration config(String pid) throws IOException {
        return service(ConfigurationAdmin.class).getConfiguration(pid, "?");
    }

    private List<String> policyNames() {
        return service(SessionService.class).policies().stream().map(PolicyInfo::name).toList();
    }

    private String activePolicy() {
        return service(SessionService.class).policies().stream().filter(PolicyInfo::active).map(PolicyInfo::name)
                .findFirst().orElse("(none)");
    }

    private Optional<ModeSwitch> firstDecisionBy(String id, String policy, SessionMode from) {
        return service(SessionService.class).history(id).stream()
                .filter(s -> s.decidedBy().equals(policy) && s.from() == from).findFirst();
    }

    private List<String> history(String id) {
        return service(SessionService.class).history(id).stream()
                .map(s -> s.from() + "->" + s.to() + " by " + s.decidedBy() + ": " + s.reason()).toList();
    }
}
