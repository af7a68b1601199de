package org.replaydesk.display.vnc.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmEvent;
import org.replaydesk.api.hypervisor.VmEventListener;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.display.vnc.DisplayInfo;
import org.replaydesk.display.vnc.DisplayService;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.display.vnc.InteractionStats;
import org.replaydesk.display.vnc.SourceSwitch;
import org.replaydesk.display.vnc.TrafficStats;
import org.replaydesk.display.vnc.ViewerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a VNC display for every running or paused VM of the {@link Hypervisor} and closes it when the VM stops.
 *
 * <p>The hypervisor reference is OPTIONAL, DYNAMIC and GREEDY: a restart or replacement of the driver (a
 * configuration change restarts it) unbinds and rebinds it without deactivating this component, so the Netty event
 * loops and configuration survive; the displays themselves close with the unbind, because the driver stops its VMs
 * when it goes away. A MANDATORY STATIC reference would recreate the whole component on every swap.
 *
 * <p>Per-VM settings (fixed port, WebSocket port, quality) come from factory configurations
 * {@code org.replaydesk.display.vnc.vm~NAME} ({@link VmDisplaySettings}); a change reopens that VM's display.
 *
 * <p>VM events arrive on a driver thread that must not block, so opening and closing run on one worker thread; being
 * a single thread it also keeps a VM's open and close in event order.
 */
@Component(service = DisplayService.class, configurationPid = "org.replaydesk.display.vnc", immediate = true)
@Designate(ocd = VncDisplayConfiguration.class)
public class VncDisplayService implements DisplayService, VmEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(VncDisplayService.class);
    private static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(10);
    /** Above this the probe would cost about what showing the source does (QEMU refreshes at most ~33 times/s). */
    static final int MAX_DAMAGE_PROBE_FPS = 30;

    private final InetAddress listenAddress;
    private final int portBase;
    private final int webSocketPortBase;
    private final int quality;
    private final int damageProbeFps;
    private final Map<VmName, VmDisplaySettings> vmSettings = new ConcurrentHashMap<>();
    private final ViewerSecurity security;
    /** The display-wide configuration; per-VM settings override parts of it. */
    private final VncDisplayConfiguration config;
    private final String socketDirSetting;
    private final EventLoopGroup group;
    private final ExecutorService worker;
    private final Map<VmName, Relay> relays = new ConcurrentHashMap<>();
    /** Port offsets in use; touched only on the worker thread. */
    private final BitSet usedPorts = new BitSet();
    private volatile Hypervisor hypervisor;
    private volatile Path socketDir;

    /**
     * Validates the configuration and fails the activation when it is unsafe or unusable.
     *
     * @param config the configuration
     */
    @Activate
    public VncDisplayService(VncDisplayConfiguration config) {
        try {
            listenAddress = InetAddress.getByName(config.listen_address().trim());
        } catch (UnknownHostException e) {
            throw fail("listen.address '" + config.listen_address() + "' does not resolve");
        }
        security = viewerSecurity(config, listenAddress);
        this.config = config;
        if (config.port_base() < 1 || config.port_base() > 65535) {
            throw fail("port.base " + config.port_base() + " is not a TCP port");
        }
        portBase = config.port_base();
        if (config.websocket_port_base() < 0 || config.websocket_port_base() > 65535) {
            throw fail("websocket.port.base " + config.websocket_port_base() + " is not a TCP port (0: no WebSocket)");
        }
        webSocketPortBase = config.websocket_port_base();
        if (config.damage_probe_fps() < 0 || config.damage_probe_fps() > MAX_DAMAGE_PROBE_FPS) {
            throw fail("damage.probe.fps " + config.damage_probe_fps() + " is not between 0 (off) and "
                    + MAX_DAMAGE_PROBE_FPS);
        }
        damageProbeFps = config.damage_probe_fps();
        try {
            quality = DisplayQuality.parse(config.quality());
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
        socketDirSetting = config.socket_dir().trim();
        group = new NioEventLoopGroup(0, new DefaultThreadFactory("vnc-display", true));
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vnc-display-worker");
            t.setDaemon(true);
            return t;
        });
        LOG.info("VNC displays on {} from port {}{}, security {}, quality {}", listenAddress.getHostAddress(), portBase,
                webSocketPortBase > 0 ? " (WebSocket from " + webSocketPortBase + ")" : "", security,
                DisplayQuality.describe(quality));
    }

    /**
     * Builds the viewers' security from the configuration, failing activation when it is unsafe (a method that
     * authenticates nobody on a non-loopback address) or incomplete (a method without its secret or keystore), and
     * warning when it works but sends secrets or pixels in clear across the network.
     */
    static ViewerSecurity viewerSecurity(VncDisplayConfiguration config, InetAddress listenAddress) {
        List<Security> offered;
        try {
            offered = Security.parseList(config.security());
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
        boolean loopback = listenAddress.isLoopbackAddress();
        for (Security s : offered) {
            if (s.authenticatesNobody() && !loopback) {
                throw fail("security '" + s.configName() + "' on non-loopback listen.address "
                        + listenAddress.getHostAddress() + " would give anyone on the network the desktops; use "
                        + "x509plain or x509vnc (with tls.keystore), or listen on 127.0.0.1");
            }
        }
        String keystore = config.tls_keystore().trim();
        boolean tlsOffered = offered.stream().anyMatch(Security::usesTls);
        if (tlsOffered && keystore.isEmpty()) {
            throw fail("security '" + config.security().trim() + "' offers TLS but tls.keystore is not set; make a "
                    + "PKCS12 keystore with keytool and set tls.keystore and .tls.keystore.password");
        }
        SslContext tls = null;
        if (tlsOffered) {
            String keystorePassword = secret(config._tls_keystore_password(), config.tls_keystore_password(),
                    "tls.keystore.password");
            try {
                tls = TlsKeystore.serverContext(Path.of(keystore), keystorePassword.toCharArray(),
                        config.tls_key_alias().trim());
            } catch (IllegalArgumentException e) {
                throw fail(e.getMessage());
            }
        } else if (!keystore.isEmpty()) {
            LOG.warn("tls.keystore is set but security '{}' offers no x509 method; viewers get no TLS",
                    config.security().trim());
        }
        ViewerSecurity result;
        try {
            result = ViewerSecurity.of(offered, secret(config._password(), config.password(), "password"),
                    emptyToNull(config.plain_username().trim()),
                    secret(config._plain_password(), config.plain_password(), "plain.password"), tls);
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
        if (!loopback && result.offersCleartext()) {
            LOG.warn("VNC displays on {} offer security without TLS ({}): passwords and pixels of viewers that use it "
                    + "cross the network in clear; set tls.keystore and security=x509plain (or x509vnc)",
                    listenAddress.getHostAddress(), config.security().trim());
        }
        return result;
    }

    /**
     * The private (dot-prefixed) key wins: DS keeps it out of the service properties. The public one still works,
     * with a warning, because an operator who wrote it expects it to be used.
     */
    private static String secret(String privateValue, String publicValue, String name) {
        if (!privateValue.isEmpty()) {
            return privateValue;
        }
        if (!publicValue.isEmpty()) {
            LOG.warn("'{}' is published as a service property; use '.{}' to keep it private", name, name);
            return publicValue;
        }
        return null;
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }

    /** The display-wide configuration with another listen address and security list (per-VM settings). */
    static VncDisplayConfiguration overriding(VncDisplayConfiguration base, String listen, String securityList) {
        return (VncDisplayConfiguration) java.lang.reflect.Proxy.newProxyInstance(
                VncDisplayConfiguration.class.getClassLoader(), new Class<?>[] {VncDisplayConfiguration.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "listen_address" -> listen;
                    case "security" -> securityList;
                    case "toString" -> "per-VM override of " + base;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> method.invoke(base, args);
                });
    }

    private static IllegalArgumentException fail(String message) {
        LOG.error("VNC display provider not started: {}", message);
        return new IllegalArgumentException(message);
    }

    /**
     * Binds the driver: listens to its events and opens displays for the VMs already running.
     *
     * @param hypervisor the driver
     * @param properties its service properties (for {@code socket.dir} / {@code state.dir})
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindHypervisor(Hypervisor hypervisor, Map<String, Object> properties) {
        this.socketDir = socketDir(socketDirSetting, properties);
        this.hypervisor = hypervisor;
        hypervisor.addListener(this);
        worker.execute(() -> {
            for (VirtualMachine vm : hypervisor.list()) {
                VmState state = vm.state();
                if (state == VmState.RUNNING || state == VmState.PAUSED) {
                    open(vm.name());
                }
            }
        });
    }

    /**
     * Unbinds a driver. With GREEDY, a replacement is bound before the old one is unbound; its displays must stay,
     * and the old driver's VMs close their displays themselves (STOPPED events, or their VNC sockets closing).
     *
     * @param old the driver going away
     */
    void unbindHypervisor(Hypervisor old) {
        old.removeListener(this);
        if (hypervisor == old) {
            hypervisor = null;
            worker.execute(() -> List.copyOf(relays.keySet()).forEach(this::closeRelay));
        }
    }

    /**
     * Where the driver puts VM sockets. The API has no accessor for a VM's VNC socket yet, so this reads the driver's
     * configuration from its service properties and falls back to the QEMU driver's own default rule.
     */
    static Path socketDir(String configured, Map<String, Object> properties) {
        if (!configured.isEmpty()) {
            return Path.of(configured);
        }
        Object fromDriver = properties.get("socket.dir");
        if (fromDriver instanceof String s && !s.isBlank()) {
            return Path.of(s);
        }
        Object stateDir = properties.get("state.dir");
        Path state;
        if (stateDir instanceof String s && !s.isBlank()) {
            state = Path.of(s);
        } else {
            String karafHome = System.getProperty("karaf.home", System.getProperty("user.dir"));
            String karafData = System.getProperty("karaf.data", karafHome + "/data");
            state = Path.of(karafData, "replaydesk", "vms");
        }
        state = state.toAbsolutePath().normalize();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(state.toString().getBytes(StandardCharsets.UTF_8));
            return Path.of("/tmp", "replaydesk-" + HexFormat.of().formatHex(digest, 0, 5));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    @Override
    public void vmChanged(VmEvent event) {
        VmState state = event.newState();
        if (state == VmState.RUNNING || state == VmState.PAUSED) {
            worker.execute(() -> open(event.vm()));
        } else if (!state.hasProcess() || state == VmState.STOPPING) {
            worker.execute(() -> closeRelay(event.vm()));
        }
    }

    /**
     * Per-VM settings appear, change or go: the VM's display reopens with them (its viewers reconnect).
     *
     * @param settings a VM's settings
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindVmSettings(VmDisplaySettings settings) {
        vmSettings.put(settings.vm(), settings);
        worker.execute(() -> reopen(settings.vm()));
    }

    void unbindVmSettings(VmDisplaySettings settings) {
        if (vmSettings.remove(settings.vm(), settings)) {
            worker.execute(() -> reopen(settings.vm()));
        }
    }

    /** Worker thread only. */
    private void reopen(VmName vm) {
        if (adHoc.contains(vm)) {
            return;
        }
        if (relays.containsKey(vm)) {
            LOG.info("display settings of {} changed; reopening its display", vm);
            closeRelay(vm);
        }
        // Also opens a display that earlier settings kept closed, if the VM runs.
        Hypervisor h = hypervisor;
        if (h != null && h.find(vm).map(v -> v.state() == VmState.RUNNING || v.state() == VmState.PAUSED)
                .orElse(false)) {
            open(vm);
        }
    }

    /** Displays opened through {@link #open(VmName, DisplaySource, Duration)}, not by a local VM. */
    private final Set<VmName> adHoc = ConcurrentHashMap.newKeySet();
    /** Ports taken by displays with a fixed port; worker thread only. */
    private final Map<VmName, Integer> fixedPorts = new ConcurrentHashMap<>();

    /** Worker thread only. */
    private void open(VmName vm) {
        if (relays.containsKey(vm) || hypervisor == null) {
            return;
        }
        // The driver names the socket (API 1.1); the folder rule stays for a VM the driver no longer lists.
        Path socket = hypervisor.find(vm).map(VirtualMachine::vncSocket)
                .orElse(socketDir.resolve(vm.value()).resolve("vnc.sock"));
        DisplaySource source = DisplaySource.unixSocket(socket);
        try {
            openRelay(vm, source, UPSTREAM_TIMEOUT);
        } catch (IOException e) {
            LOG.warn("no display for {}: {}", vm, e.getMessage());
        }
    }

    /** Worker thread only. */
    private Relay openRelay(VmName vm, DisplaySource source, Duration timeout) throws IOException {
        VmDisplaySettings own = vmSettings.get(vm);
        int offset = -1;
        int port;
        if (own != null && own.port() > 0) {
            port = own.port();
        } else {
            offset = usedPorts.nextClearBit(0);
            port = portBase + offset;
        }
        InetAddress vmListen = listenAddress;
        ViewerSecurity vmSecurity = security;
        if (own != null && (!own.listenAddress().isEmpty() || !own.security().isEmpty())) {
            try {
                vmListen = own.listenAddress().isEmpty() ? listenAddress : InetAddress.getByName(own.listenAddress());
                // The same checks as the display-wide settings (no unauthenticated method off loopback, TLS needs
                // the keystore, ...), with this VM's address and list and the display-wide secrets.
                vmSecurity = viewerSecurity(overriding(config, vmListen.getHostAddress(),
                        own.security().isEmpty() ? config.security() : own.security()), vmListen);
            } catch (UnknownHostException | IllegalArgumentException e) {
                throw new IOException("the display settings of " + vm + " are unusable: " + e.getMessage(), e);
            }
        }
        InetSocketAddress address = new InetSocketAddress(vmListen, port);
        int wsPort;
        if (own != null && own.webSocketPort() >= 0) {
            wsPort = own.webSocketPort();
        } else if (webSocketPortBase > 0 && offset >= 0) {
            wsPort = webSocketPortBase + offset;
        } else {
            wsPort = 0; // a fixed RFB port gets a WebSocket only if its settings name one
        }
        int relayQuality = own != null && own.quality() != DisplayQuality.UNSET ? own.quality() : quality;
        Relay relay = new Relay(vm.value(), source, address, vmSecurity, group,
                r -> worker.execute(() -> {
                    if (relays.get(vm) == r) {
                        LOG.info("RFB source of display {} went away", vm);
                        closeRelay(vm);
                    }
                }))
                .withQuality(relayQuality)
                // Probe only a VM's own VNC socket: polling a relay on another host would move pixels over the
                // network while the session replays to save exactly that traffic (its server measures damage).
                .withDamageProbe(source.unixSocket() != null ? damageProbeFps : 0);
        if (wsPort > 0) {
            relay.withWebSocket(new InetSocketAddress(vmListen, wsPort));
        }
        relay.start(timeout);
        if (offset >= 0) {
            usedPorts.set(offset);
        } else {
            fixedPorts.put(vm, port);
        }
        relays.put(vm, relay);
        return relay;
    }

    /** Worker thread only. */
    private void closeRelay(VmName vm) {
        Relay relay = relays.remove(vm);
        adHoc.remove(vm);
        if (relay != null) {
            relay.close();
            if (fixedPorts.remove(vm) == null) {
                usedPorts.clear(relay.address().getPort() - portBase);
            }
        }
    }

    @Override
    public DisplayInfo open(VmName display, DisplaySource source, Duration timeout) {
        Future<DisplayInfo> opened = worker.submit(() -> {
            if (relays.containsKey(display)) {
                throw ReplayDeskException.conflict("display " + display + " is already open");
            }
            try {
                Relay relay = openRelay(display, source, timeout);
                adHoc.add(display);
                return info(display, relay);
            } catch (IOException e) {
                throw ReplayDeskException.unavailable("cannot open display " + display + " on " + source.describe()
                        + ": " + e.getMessage());
            }
        });
        return await(opened, timeout.plusSeconds(10), "opening display " + display);
    }

    @Override
    public void close(VmName display) {
        await(worker.submit(() -> {
            if (!relays.containsKey(display)) {
                throw ReplayDeskException.notFound("no display " + display);
            }
            closeRelay(display);
            return null;
        }), Duration.ofSeconds(30), "closing display " + display);
    }

    private static <T> T await(Future<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ReplayDeskException r) {
                throw r;
            }
            throw ReplayDeskException.failed(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReplayDeskException.unavailable(what + " was interrupted");
        } catch (java.util.concurrent.TimeoutException e) {
            throw ReplayDeskException.unavailable(what + " did not finish within " + timeout.toSeconds() + " s");
        }
    }

    private Relay relay(VmName display) {
        Relay relay = relays.get(display);
        if (relay == null) {
            throw ReplayDeskException.notFound("no display " + display + " (is the VM running?)");
        }
        return relay;
    }

    @Override
    public SourceSwitch switchSource(VmName display, DisplaySource source, Duration timeout) {
        Relay relay = relay(display);
        try {
            return relay.switchSource(source, timeout);
        } catch (IOException e) {
            throw ReplayDeskException.unavailable("display " + display + " keeps " + relay.pixelSource().describe()
                    + ": " + e.getMessage());
        }
    }

    @Override
    public void setViewOnly(VmName display, String viewerId, boolean viewOnly) {
        viewerOf(display, viewerId).setViewOnly(viewOnly);
    }

    @Override
    public void disconnect(VmName display, String viewerId) {
        viewerOf(display, viewerId).disconnect();
    }

    private ViewerHandler viewerOf(VmName display, String viewerId) {
        return relay(display).viewer(viewerId).orElseThrow(() -> ReplayDeskException.notFound("display " + display
                + " has no viewer " + viewerId + " (see desk:display-viewers " + display + ")"));
    }

    @Override
    public List<DisplayInfo> displays() {
        List<DisplayInfo> out = new ArrayList<>();
        relays.forEach((vm, relay) -> out.add(info(vm, relay)));
        out.sort(Comparator.comparing(DisplayInfo::vm));
        return out;
    }

    @Override
    public Optional<DisplayInfo> display(VmName vm) {
        Relay relay = relays.get(vm);
        return relay == null ? Optional.empty() : Optional.of(info(vm, relay));
    }

    @Override
    public List<ViewerInfo> viewers(VmName vm) {
        Relay relay = relays.get(vm);
        return relay == null ? List.of() : relay.viewers();
    }

    @Override
    public Optional<TrafficStats> stats(VmName vm) {
        Relay relay = relays.get(vm);
        return relay == null ? Optional.empty() : Optional.of(relay.stats());
    }

    @Override
    public Optional<InteractionStats> interaction(VmName display) {
        Relay relay = relays.get(display);
        return relay == null ? Optional.empty() : Optional.of(relay.interaction());
    }

    private static DisplayInfo info(VmName vm, Relay relay) {
        FramebufferMirror mirror = relay.mirror();
        return new DisplayInfo(vm, relay.address(), relay.viewerCount(), mirror.width(), mirror.height(),
                relay.upstreamConnected(), relay.webSocketAddress(), relay.pixelSource(), relay.inputSource());
    }

    @Deactivate
    void deactivate() {
        Hypervisor h = hypervisor;
        if (h != null) {
            h.removeListener(this);
        }
        worker.execute(() -> List.copyOf(relays.keySet()).forEach(this::closeRelay));
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
