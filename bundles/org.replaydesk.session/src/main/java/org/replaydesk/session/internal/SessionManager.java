package org.replaydesk.session.internal;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.session.ModeRequest;
import org.replaydesk.api.session.ModeSwitch;
import org.replaydesk.api.session.ModeSwitchPolicy;
import org.replaydesk.api.session.PolicyInfo;
import org.replaydesk.api.session.SessionEvents;
import org.replaydesk.api.session.SessionInfo;
import org.replaydesk.api.session.SessionMetrics;
import org.replaydesk.api.session.SessionService;
import org.replaydesk.display.vnc.DisplayService;
import org.replaydesk.pager.RemoteSessionAgent;
import org.replaydesk.pager.SessionControl;
import org.replaydesk.replay.ReplayServer;
import org.replaydesk.replay.ReplayService;
import org.replaydesk.snapshot.SnapshotService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session service: opens sessions, keeps the policy registry and posts every transition to EventAdmin.
 * Configuration changes retune running sessions in place ({@link Modified}), so neither a new policy choice nor new
 * thresholds reset a session or drop a viewer.
 */
@Component(service = SessionService.class, configurationPid = "org.replaydesk.session", immediate = true)
@Designate(ocd = SessionConfiguration.class)
public class SessionManager implements SessionService {

    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);
    private static final String LOCAL = "local";

    private final Hypervisor hypervisor;
    private final DisplayService displays;
    private final ReplayService replays;
    private final SnapshotService snapshots;
    private final PolicyRegistry policies = new PolicyRegistry();
    private final Map<String, DesktopSession> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Path timelineDir;
    private volatile DesktopSession.SessionTuning tuning;
    private volatile String lastActivePolicy;
    private volatile RemoteVm.DisplayCredentials remoteDisplay;

    /** The pager's client side, for two-host sessions; optional so one-host sessions never wait for it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SessionControl sessionControl;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EventAdmin events;

    @Activate
    public SessionManager(@Reference Hypervisor hypervisor, @Reference DisplayService displays,
            @Reference ReplayService replays, @Reference SnapshotService snapshots, SessionConfiguration config) {
        this.hypervisor = hypervisor;
        this.displays = displays;
        this.replays = replays;
        this.snapshots = snapshots;
        String data = System.getProperty("karaf.data", System.getProperty("java.io.tmpdir"));
        this.timelineDir = Path.of(data, "replaydesk", "sessions");
        modified(config);
    }

    @Modified
    void modified(SessionConfiguration config) {
        DesktopSession.SessionTuning t = tuning(config);
        policies.configure(config.policy_name(), config.policy_target());
        tuning = t;
        remoteDisplay = new RemoteVm.DisplayCredentials(config.remote_display_username().trim(),
                !config._remote_display_password().isEmpty() ? config._remote_display_password()
                        : config.remote_display_password(), config.remote_display_tls_trust());
        sessions.values().forEach(s -> s.retune(t));
        announcePolicy();
    }

    static DesktopSession.SessionTuning tuning(SessionConfiguration c) {
        require(c.tick_ms() >= 100 && c.tick_ms() <= 10_000, "tick.ms", c.tick_ms(), "from 100 to 10000");
        require(c.chunk_horizon_seconds() >= 1, "chunk.horizon.seconds", c.chunk_horizon_seconds(), "at least 1");
        require(c.join_estimate_megabytes() >= 0, "join.estimate.megabytes", c.join_estimate_megabytes(),
                "0 or more");
        require(c.log_buffer_megabytes() >= 1, "log.buffer.megabytes", c.log_buffer_megabytes(), "at least 1");
        require(c.display_bytes_per_damaged_pixel() > 0 && c.display_bytes_per_damaged_pixel() <= 4,
                "display.bytes.per.damaged.pixel", c.display_bytes_per_damaged_pixel(), "above 0, at most 4");
        require(c.record_log_port() > 0 && c.record_log_port() < 65536, "record.log.port", c.record_log_port(),
                "a TCP port");
        return new DesktopSession.SessionTuning(Duration.ofMillis(c.tick_ms()),
                Duration.ofSeconds(c.chunk_horizon_seconds()), c.join_estimate_megabytes() * 1024L * 1024L,
                c.log_buffer_megabytes() * 1024L * 1024L, c.display_bytes_per_damaged_pixel(),
                c.record_log_port());
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("org.replaydesk.session: " + key + " = " + value + " must be "
                    + expected);
        }
    }

    @Deactivate
    void deactivate() {
        for (DesktopSession s : new ArrayList<>(sessions.values())) {
            closeQuietly(s);
        }
        sessions.clear();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            service = ModeSwitchPolicy.class)
    void addPolicy(ModeSwitchPolicy policy, Map<String, Object> properties) {
        String name = policies.add(policy, properties);
        if (name == null) {
            LOG.warn("ignoring a ModeSwitchPolicy without the {} property: {}", ModeSwitchPolicy.NAME_PROPERTY,
                    policy.getClass().getName());
            return;
        }
        LOG.info("policy '{}' installed ({})", name, policy.getClass().getName());
        announcePolicy();
    }

    void removePolicy(ModeSwitchPolicy policy) {
        policies.remove(policy);
        announcePolicy();
    }

    /** Posts POLICY_CHANGED for every session when the policy they use changed. */
    private synchronized void announcePolicy() {
        String now = policies.active().name();
        if (now.equals(lastActivePolicy)) {
            return;
        }
        LOG.info("sessions now use policy '{}' (was '{}')", now, lastActivePolicy);
        lastActivePolicy = now;
        for (DesktopSession s : sessions.values()) {
            post(SessionEvents.POLICY_CHANGED, s, Map.of(SessionEvents.POLICY, now));
        }
    }

    @Override
    public SessionInfo open(String vmName, String client) {
        return open(vmName, client, null);
    }

    @Override
    public SessionInfo open(String vmName, String client, String server) {
        String clientHost = normaliseClient(client);
        VmName name = parseVm(vmName);
        boolean remote = server != null && !server.isBlank();
        ServedVm served = remote ? remoteVm(name, ReplayServer.parse(server)) : localVm(name);
        try {
            return open(name, served, clientHost);
        } catch (RuntimeException e) {
            served.close();
            throw e;
        }
    }

    private ServedVm localVm(VmName name) {
        VirtualMachine vm = hypervisor.find(name)
                .orElseThrow(() -> ReplayDeskException.notFound("no VM " + name + " (desk:vm-list shows them)"));
        if (vm.state() != VmState.RUNNING) {
            throw ReplayDeskException.conflict("VM " + name + " is " + vm.state().name().toLowerCase(Locale.ROOT)
                    + ": a session needs a running VM (desk:vm-start " + name + ")");
        }
        return new LocalVm(vm, snapshots, () -> tuning.recordLogPort());
    }

    private ServedVm remoteVm(VmName name, ReplayServer server) {
        SessionControl control = sessionControl;
        if (control == null) {
            throw ReplayDeskException.unavailable("the pager is not running here: a session on another host's VM "
                    + "reaches that host through it (feature replaydesk-pager)");
        }
        RemoteSessionAgent agent = control.connect(server.chunks());
        try {
            return new RemoteVm(name, server, agent, remoteDisplay);
        } catch (RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    private SessionInfo open(VmName name, ServedVm served, String clientHost) {
        synchronized (sessions) {
            for (DesktopSession s : sessions.values()) {
                if (s.vm().equals(name)) {
                    throw ReplayDeskException.conflict("VM " + name + " already has session " + s.id()
                            + ": connect more viewers to it (desk:session-list)");
                }
            }
            String id = "s" + nextId.getAndIncrement();
            DesktopSession session = new DesktopSession(id, served, services(), tuning, Clock.systemUTC(),
                    sw -> switched(id, name, sw));
            sessions.put(id, session);
            session.start();
            post(SessionEvents.OPENED, session, Map.of(SessionEvents.POLICY, policies.active().name()));
            LOG.info("session {} opened on {} of {} (viewers: {})", id, name, served.server(),
                    session.info(clientHost, policies.active().name()).viewerAddress());
            return session.info(clientHost, policies.active().name());
        }
    }

    private DesktopSession.Services services() {
        return new DesktopSession.Services(displays, replays, snapshots, policies, timelineDir);
    }

    private static boolean canReplay(VirtualMachine vm) {
        return vm.spec().mode() == RecordReplayMode.RECORD;
    }

    private void switched(String id, VmName vm, ModeSwitch sw) {
        DesktopSession s = sessions.get(id);
        Map<String, Object> props = new HashMap<>();
        props.put(SessionEvents.FROM, sw.from().name());
        props.put(SessionEvents.TO, sw.to().name());
        props.put(SessionEvents.REASON, sw.reason());
        props.put(SessionEvents.DECIDED_BY, sw.decidedBy());
        props.put(SessionEvents.LATENCY_MS, sw.latency().toMillis());
        EventAdmin ea = events;
        if (ea != null) {
            props.put(SessionEvents.SESSION, id);
            props.put(SessionEvents.VM, vm.value());
            ea.postEvent(new Event(SessionEvents.MODE_CHANGED, props));
        }
        if (s == null) {
            LOG.debug("session {} switched while opening or closing", id);
        }
    }

    private void post(String topic, DesktopSession s, Map<String, Object> extra) {
        EventAdmin ea = events;
        if (ea == null) {
            return;
        }
        Map<String, Object> props = new HashMap<>(extra);
        props.put(SessionEvents.SESSION, s.id());
        props.put(SessionEvents.VM, s.vm().value());
        ea.postEvent(new Event(topic, props));
    }

    @Override
    public List<SessionInfo> sessions() {
        String policy = policies.active().name();
        return sessions.values().stream()
                .sorted((a, b) -> Integer.compare(Integer.parseInt(a.id().substring(1)),
                        Integer.parseInt(b.id().substring(1))))
                .map(s -> s.info(LOCAL, policy)).toList();
    }

    @Override
    public Optional<SessionInfo> session(String id) {
        return Optional.ofNullable(sessions.get(id)).map(s -> s.info(LOCAL, policies.active().name()));
    }

    @Override
    public SessionInfo setMode(String id, ModeRequest request) {
        DesktopSession s = get(id);
        // A server host's VM is checked by its agent when the snapshot is asked for (CONFLICT if not recording).
        if (request == ModeRequest.REPLAY && s.server().equals(LOCAL)) {
            VirtualMachine vm = hypervisor.find(s.vm()).orElseThrow(() -> ReplayDeskException.conflict(
                    "VM " + s.vm() + " of session " + id + " is gone"));
            if (!canReplay(vm)) {
                throw ReplayDeskException.conflict("session " + id + " cannot replay: VM " + s.vm()
                        + " does not run under record (create it with record/replay mode record)");
            }
        }
        s.request(request);
        LOG.info("session {}: the operator asked for {}", id, request.label());
        return s.info(LOCAL, policies.active().name());
    }

    @Override
    public List<ModeSwitch> history(String id) {
        return get(id).history();
    }

    @Override
    public void close(String id) {
        DesktopSession s = sessions.remove(id);
        if (s == null) {
            throw unknown(id);
        }
        closeQuietly(s);
        post(SessionEvents.CLOSED, s, Map.of());
        LOG.info("session {} on {} closed; the VM keeps running", id, s.vm());
    }

    @Override
    public List<PolicyInfo> policies() {
        return policies.list();
    }

    @Override
    public void setPolicy(String name) {
        if (name == null || name.isBlank()) {
            throw ReplayDeskException.invalid("policy name is empty");
        }
        policies.choose(name);
        announcePolicy();
    }

    @Override
    public Optional<SessionMetrics> metrics(String id) {
        // Null until the session's first tick has sampled: the session exists, its metrics do not yet.
        return Optional.ofNullable(get(id).lastMetrics());
    }

    private DesktopSession get(String id) {
        DesktopSession s = id == null ? null : sessions.get(id);
        if (s == null) {
            throw unknown(id);
        }
        return s;
    }

    private ReplayDeskException unknown(String id) {
        return ReplayDeskException.notFound("no session '" + id + "' (open: "
                + (sessions.isEmpty() ? "none" : String.join(", ", sessions.keySet().stream().sorted().toList()))
                + ")");
    }

    private static VmName parseVm(String vm) {
        try {
            return VmName.of(vm);
        } catch (IllegalArgumentException e) {
            throw ReplayDeskException.invalid(e.getMessage());
        }
    }

    /**
     * Sessions replay in the container they are opened in: the client host is this one. Naming another host is an
     * error rather than silently replaying here.
     */
    static String normaliseClient(String client) {
        if (client == null || client.isBlank()) {
            return LOCAL;
        }
        String c = client.strip().toLowerCase(Locale.ROOT);
        if (c.equals(LOCAL) || c.equals("localhost") || c.equals("127.0.0.1") || c.equals("::1")) {
            return LOCAL;
        }
        try {
            InetAddress self = InetAddress.getLocalHost();
            if (c.equalsIgnoreCase(self.getHostName()) || c.equals(self.getHostAddress())) {
                return LOCAL;
            }
        } catch (java.io.IOException e) {
            // fall through: not this host
        }
        throw ReplayDeskException.invalid("client host '" + client + "' is not this host: a session replays in the "
                + "container it is opened in, so open it in the Karaf on " + client
                + " (that container reaches this server with desk:replay-start --server)");
    }

    private static void closeQuietly(DesktopSession s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.warn("closing session {} failed: {}", s.id(), e.toString());
        }
    }
}
