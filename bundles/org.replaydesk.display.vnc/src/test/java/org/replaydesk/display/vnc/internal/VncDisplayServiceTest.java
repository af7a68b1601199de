package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.display.vnc.SourceSwitch;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.VmEvent;
import org.replaydesk.api.hypervisor.VmEventListener;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.display.vnc.DisplayInfo;

/** The DS component without a framework: configuration checks, and displays following VM events. */
class VncDisplayServiceTest {

    private Path tmp;
    private final List<VmEventListener> listeners = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "rdds");
    }

    @AfterEach
    void tearDown() throws Exception {
        try (Stream<Path> files = Files.walk(tmp)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A configuration with the annotation's defaults, overridden by {@code values} (keys are method names). */
    static VncDisplayConfiguration config(Map<String, Object> values) {
        return (VncDisplayConfiguration) Proxy.newProxyInstance(VncDisplayConfiguration.class.getClassLoader(),
                new Class<?>[] {VncDisplayConfiguration.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.getName().equals("toString") ? "config" : null;
                    }
                    return values.getOrDefault(method.getName(), method.getDefaultValue());
                });
    }

    private org.replaydesk.api.hypervisor.VirtualMachine runningVm(VmName name) {
        return (org.replaydesk.api.hypervisor.VirtualMachine) Proxy.newProxyInstance(
                Hypervisor.class.getClassLoader(), new Class<?>[] {org.replaydesk.api.hypervisor.VirtualMachine.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "state" -> VmState.RUNNING;
                    case "vncSocket" -> tmp.resolve(name.value()).resolve("vnc.sock");
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A hypervisor with no VMs that only records listeners. */
    private Hypervisor hypervisor() {
        return (Hypervisor) Proxy.newProxyInstance(Hypervisor.class.getClassLoader(),
                new Class<?>[] {Hypervisor.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "addListener" -> {
                        listeners.add((VmEventListener) args[0]);
                        yield null;
                    }
                    case "removeListener" -> {
                        listeners.remove(args[0]);
                        yield null;
                    }
                    case "list" -> List.of();
                    case "type" -> "fake";
                    // Every VM asked about runs (the tests only ask about VMs they started).
                    case "find" -> java.util.Optional.of(runningVm((VmName) args[0]));
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aDamageProbeRateOutsideZeroToThirtyFailsActivationAndADisplayThatDoesNotExistHasNoInteraction() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new VncDisplayService(config(Map.of("damage_probe_fps", -1))));
        assertTrue(e.getMessage().contains("damage.probe.fps -1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new VncDisplayService(config(Map.of("damage_probe_fps", 31))));
        VncDisplayService service = new VncDisplayService(config(Map.of("damage_probe_fps", 0)));
        try {
            assertTrue(service.interaction(VmName.of("nothing")).isEmpty());
        } finally {
            service.deactivate();
        }
    }

    @Test
    void securityNoneOnANonLoopbackAddressFailsActivation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new VncDisplayService(config(Map.of("listen_address", "0.0.0.0"))));
        assertTrue(e.getMessage().contains("security 'none' on non-loopback"), e.getMessage());
    }

    @Test
    void vncauthNeedsAPasswordAndUnknownSecurityIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new VncDisplayService(config(Map.of("listen_address", "0.0.0.0", "security", "vncauth"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new VncDisplayService(config(Map.of("security", "tls"))));
        assertTrue(e.getMessage().contains("'tls'"), e.getMessage());
    }

    @Test
    void vncauthWithAPasswordMayListenOnAnyAddress() {
        new VncDisplayService(config(Map.of("listen_address", "0.0.0.0", "security", "vncauth", "password",
                "secret"))).deactivate();
    }

    private static IllegalArgumentException refused(Map<String, Object> values) {
        return assertThrows(IllegalArgumentException.class, () -> new VncDisplayService(config(values)));
    }

    private static Map<String, Object> tls(String security, Map<String, Object> more) {
        Map<String, Object> values = new java.util.HashMap<>(Map.of("listen_address", "0.0.0.0", "security",
                security, "tls_keystore", TestPki.get().keystore.toString(), "_tls_keystore_password",
                TestPki.KEYSTORE_PASSWORD, "plain_username", "alice", "_plain_password", "c0rrect h0rse",
                "_password", "k3yb0ard"));
        values.putAll(more);
        return values;
    }

    @Test
    void tlsSecurityWithEverythingConfiguredMayListenOnAnyAddress() {
        // No tls.key.alias: the keystore's only key entry is used (its CA entry is a certificate, not a key).
        VncDisplayService service = new VncDisplayService(config(tls("x509plain, x509vnc", Map.of())));
        service.deactivate();
    }

    @Test
    void tlsSecurityWithoutAKeystoreIsRefused() {
        IllegalArgumentException e = refused(Map.of("security", "x509plain", "plain_username", "alice",
                "_plain_password", "pw"));
        assertTrue(e.getMessage().contains("offers TLS but tls.keystore is not set"), e.getMessage());
    }

    @Test
    void aWrongKeystorePasswordIsRefusedNamingTheFile() {
        IllegalArgumentException e = refused(tls("x509plain", Map.of("_tls_keystore_password", "wrong")));
        assertTrue(e.getMessage().contains("cannot read tls.keystore " + TestPki.get().keystore), e.getMessage());
    }

    @Test
    void anUnknownKeyAliasIsRefusedListingTheKeyEntries() {
        IllegalArgumentException e = refused(tls("x509plain", Map.of("tls_key_alias", "nope")));
        assertTrue(e.getMessage().contains("has no key entry 'nope' (key entries: [display])"), e.getMessage());
    }

    @Test
    void x509PlainWithoutAUserOrPasswordIsRefused() {
        IllegalArgumentException e = refused(tls("x509plain", Map.of("plain_username", "")));
        assertTrue(e.getMessage().contains("'x509plain' needs plain.username and .plain.password"), e.getMessage());
        refused(tls("x509plain", Map.of("_plain_password", "")));
    }

    @Test
    void x509NoneAuthenticatesNobodySoItIsRefusedOffLoopback() {
        IllegalArgumentException e = refused(tls("x509plain,x509none", Map.of()));
        assertTrue(e.getMessage().contains("security 'x509none' on non-loopback"), e.getMessage());
        new VncDisplayService(config(tls("x509none", Map.of("listen_address", "127.0.0.1")))).deactivate();
    }

    @Test
    void aRepeatedOrEmptySecurityListIsRefused() {
        assertTrue(refused(Map.of("security", "vncauth,vncauth", "_password", "x")).getMessage()
                .contains("listed twice"));
        assertTrue(refused(Map.of("security", " , ")).getMessage().contains("security is empty"));
    }

    @Test
    void socketDirComesFromConfigurationThenTheDriversPropertiesThenItsDefaultRule() {
        assertEquals(Path.of("/x"), VncDisplayService.socketDir("/x", Map.of("socket.dir", "/y")));
        assertEquals(Path.of("/y"), VncDisplayService.socketDir("", Map.of("socket.dir", "/y")));
        // Same rule as the QEMU driver's QemuSettings.defaultSocketDir: /tmp/replaydesk-<10 hex of SHA-256>.
        assertTrue(VncDisplayService.socketDir("", Map.of("state.dir", "/var/vms")).toString()
                .matches("/tmp/replaydesk-[0-9a-f]{10}"));
    }

    @Test
    void aDisplayOpensWhenTheVmRunsAndClosesWhenItStops() throws Exception {
        int base = freePort();
        VncDisplayService service = new VncDisplayService(config(Map.of("port_base", base,
                "socket_dir", tmp.toString())));
        VmName vm = VmName.of("desk1");
        try (FakeVncServer qemu = new FakeVncServer(tmp.resolve("desk1").resolve("vnc.sock"), 64, 48)) {
            service.bindHypervisor(hypervisor(), Map.of());
            assertEquals(1, listeners.size());
            listeners.forEach(l -> l.vmChanged(new VmEvent(vm, VmState.STARTING, VmState.RUNNING, "", Instant.now())));
            RelayEndToEndTest.await("display open", Duration.ofSeconds(10), () -> service.display(vm).isPresent());
            DisplayInfo info = service.display(vm).orElseThrow();
            assertEquals(base, info.address().getPort());
            assertEquals(64, info.width());
            assertTrue(info.connected());
            assertEquals(List.of(info), service.displays());

            listeners.forEach(l -> l.vmChanged(new VmEvent(vm, VmState.RUNNING, VmState.STOPPED, "", Instant.now())));
            RelayEndToEndTest.await("display closed", Duration.ofSeconds(10), () -> service.display(vm).isEmpty());
        } finally {
            service.deactivate();
        }
        assertTrue(listeners.isEmpty(), "deactivation removes the VM listener");
    }

    @Test
    void aGreedyDriverSwapDoesNotCloseTheDisplaysButALastUnbindDoes() throws Exception {
        VncDisplayService service = new VncDisplayService(config(Map.of("port_base", freePort(),
                "socket_dir", tmp.toString())));
        VmName vm = VmName.of("desk3");
        try (FakeVncServer qemu = new FakeVncServer(tmp.resolve("desk3").resolve("vnc.sock"), 32, 32)) {
            Hypervisor first = hypervisor();
            Hypervisor second = hypervisor();
            service.bindHypervisor(first, Map.of());
            listeners.forEach(l -> l.vmChanged(new VmEvent(vm, VmState.STARTING, VmState.RUNNING, "", Instant.now())));
            RelayEndToEndTest.await("display open", Duration.ofSeconds(10), () -> service.display(vm).isPresent());
            // DS binds the replacement before it unbinds the old one.
            service.bindHypervisor(second, Map.of());
            service.unbindHypervisor(first);
            Thread.sleep(300);
            assertTrue(service.display(vm).isPresent(), "a swap must not close displays");
            service.unbindHypervisor(second);
            RelayEndToEndTest.await("display closed", Duration.ofSeconds(10), () -> service.display(vm).isEmpty());
        } finally {
            service.deactivate();
        }
    }

    @Test
    void aDisplayClosesWhenTheVmsVncServerGoesAway() throws Exception {
        VncDisplayService service = new VncDisplayService(config(Map.of("port_base", freePort(),
                "socket_dir", tmp.toString())));
        VmName vm = VmName.of("desk2");
        try {
            FakeVncServer qemu = new FakeVncServer(tmp.resolve("desk2").resolve("vnc.sock"), 32, 32);
            service.bindHypervisor(hypervisor(), Map.of());
            listeners.forEach(l -> l.vmChanged(new VmEvent(vm, VmState.RUNNING, VmState.PAUSED, "", Instant.now())));
            RelayEndToEndTest.await("display open", Duration.ofSeconds(10), () -> service.display(vm).isPresent());
            qemu.close();
            RelayEndToEndTest.await("display closed", Duration.ofSeconds(10), () -> service.display(vm).isEmpty());
        } finally {
            service.deactivate();
        }
    }

    @Test
    void perVmSettingsFixThePortAndQualityAndReopenTheDisplay() throws Exception {
        int base = freePort();
        int wsBase = freePort();
        int fixed = freePort();
        VncDisplayService service = new VncDisplayService(config(Map.of("port_base", base, "websocket_port_base",
                wsBase, "socket_dir", tmp.toString())));
        VmName vm = VmName.of("desk4");
        try (FakeVncServer qemu = new FakeVncServer(tmp.resolve("desk4").resolve("vnc.sock"), 32, 32)) {
            service.bindHypervisor(hypervisor(), Map.of());
            listeners.forEach(l -> l.vmChanged(new VmEvent(vm, VmState.STARTING, VmState.RUNNING, "", Instant.now())));
            RelayEndToEndTest.await("display open", Duration.ofSeconds(10), () -> service.display(vm).isPresent());
            assertEquals(base, service.display(vm).orElseThrow().address().getPort());
            assertEquals(wsBase, service.display(vm).orElseThrow().webSocket().getPort());

            VmDisplaySettings settings = new VmDisplaySettings(vm, fixed, 0, 6);
            service.bindVmSettings(settings);
            RelayEndToEndTest.await("display on its own port", Duration.ofSeconds(10),
                    () -> service.display(vm).map(d -> d.address().getPort() == fixed).orElse(false));
            assertEquals(null, service.display(vm).orElseThrow().webSocket(), "websocket.port=0: none");

            service.unbindVmSettings(settings);
            RelayEndToEndTest.await("display back on base+n", Duration.ofSeconds(10),
                    () -> service.display(vm).map(d -> d.address().getPort() == base).orElse(false));
        } finally {
            service.deactivate();
        }
    }

    @Test
    void perVmSecurityAndListenAddressOverrideTheDisplayWideOnesWithTheSameChecks() throws Exception {
        VncDisplayService service = new VncDisplayService(config(Map.of("port_base", freePort(),
                "websocket_port_base", 0, "socket_dir", tmp.toString(), "_password", "s3cret")));
        VmName vm = VmName.of("desk5");
        try (FakeVncServer qemu = new FakeVncServer(tmp.resolve("desk5").resolve("vnc.sock"), 32, 32)) {
            service.bindHypervisor(hypervisor(), Map.of());
            service.bindVmSettings(new VmDisplaySettings(vm, 0, 0, DisplayQuality.UNSET, "", "vncauth"));
            listeners.forEach(l -> l.vmChanged(new VmEvent(vm, VmState.STARTING, VmState.RUNNING, "", Instant.now())));
            RelayEndToEndTest.await("display open", Duration.ofSeconds(10), () -> service.display(vm).isPresent());
            // RFB 3.8: the server's version, ours, then the security types it offers.
            try (java.net.Socket s = new java.net.Socket("127.0.0.1",
                    service.display(vm).orElseThrow().address().getPort())) {
                s.setSoTimeout(5000);
                byte[] version = s.getInputStream().readNBytes(12);
                assertEquals("RFB 003.008\n", new String(version, java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().write(version);
                byte[] types = s.getInputStream().readNBytes(2);
                assertEquals(1, types[0], "one type offered");
                assertEquals(2, types[1], "VNC authentication, from this VM's settings (display-wide: none)");
            }
            // None on a non-loopback address is refused for one VM just as for all of them: no display then.
            service.bindVmSettings(new VmDisplaySettings(vm, 0, 0, DisplayQuality.UNSET, "0.0.0.0", ""));
            RelayEndToEndTest.await("display closed", Duration.ofSeconds(10), () -> service.display(vm).isEmpty());
            Thread.sleep(300);
            assertTrue(service.display(vm).isEmpty(), "unsafe per-VM settings open no display");
        } finally {
            service.deactivate();
        }
    }

    @Test
    void displaysOpenOnAnySourceSwitchAndCloseThroughTheServiceWithClearErrors() throws Exception {
        VncDisplayService service = new VncDisplayService(config(Map.of("port_base", freePort(),
                "websocket_port_base", 0, "socket_dir", tmp.toString())));
        VmName remote = VmName.of("remote1");
        DisplaySource server = DisplaySource.unixSocket(tmp.resolve("server/vnc.sock"));
        DisplaySource replayer = DisplaySource.unixSocket(tmp.resolve("replayer/vnc.sock"));
        try (FakeVncServer s = new FakeVncServer(server.unixSocket(), 32, 32);
                FakeVncServer r = new FakeVncServer(replayer.unixSocket(), 32, 32)) {
            DisplayInfo info = service.open(remote, server, Duration.ofSeconds(5));
            assertEquals(server, info.inputSource());
            assertEquals(server, info.source());
            assertEquals(Status.CONFLICT, assertThrows(ReplayDeskException.class,
                    () -> service.open(remote, server, Duration.ofSeconds(5))).status());

            SourceSwitch result = service.switchSource(remote, replayer, Duration.ofSeconds(5));
            assertEquals(replayer, result.to());
            assertTrue(service.display(remote).orElseThrow().sourceSwitched());

            assertEquals(Status.NOT_FOUND, assertThrows(ReplayDeskException.class,
                    () -> service.switchSource(VmName.of("nope"), replayer, Duration.ofSeconds(1))).status());
            ReplayDeskException unreachable = assertThrows(ReplayDeskException.class, () -> service.switchSource(
                    remote, DisplaySource.unixSocket(tmp.resolve("gone/vnc.sock")), Duration.ofSeconds(1)));
            assertEquals(Status.UNAVAILABLE, unreachable.status());
            assertTrue(unreachable.getMessage().contains("keeps unix:" + replayer.unixSocket()),
                    unreachable.getMessage());
            ReplayDeskException noViewer = assertThrows(ReplayDeskException.class,
                    () -> service.setViewOnly(remote, "abcd", true));
            assertEquals(Status.NOT_FOUND, noViewer.status());
            assertTrue(noViewer.getMessage().contains("no viewer abcd"), noViewer.getMessage());

            service.close(remote);
            assertTrue(service.display(remote).isEmpty());
            assertEquals(Status.NOT_FOUND, assertThrows(ReplayDeskException.class, () -> service.close(remote))
                    .status());
            assertEquals(Status.UNAVAILABLE, assertThrows(ReplayDeskException.class, () -> service.open(remote,
                    DisplaySource.unixSocket(tmp.resolve("gone/vnc.sock")), Duration.ofSeconds(1))).status());
        } finally {
            service.deactivate();
        }
    }

    @Test
    void settingsAndQualityAreValidatedWithTheReason() {
        assertEquals(DisplayQuality.AUTO, DisplayQuality.parse("auto"));
        assertEquals(DisplayQuality.LOSSLESS, DisplayQuality.parse("Lossless"));
        assertEquals(6, DisplayQuality.parse(" 6 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DisplayQuality.parse("10"));
        assertTrue(e.getMessage().contains("'10'"), e.getMessage());
        assertEquals(8, DisplayQuality.effective(DisplayQuality.AUTO, 8));
        assertEquals(-1, DisplayQuality.effective(DisplayQuality.LOSSLESS, 8));
        assertEquals(6, DisplayQuality.effective(6, 8), "the operator's cap");
        assertEquals(3, DisplayQuality.effective(6, 3), "a viewer may ask for less");
        assertEquals(6, DisplayQuality.effective(6, -1), "a capped display uses JPEG even if not asked");
        IllegalArgumentException q = assertThrows(IllegalArgumentException.class,
                () -> new VncDisplayService(config(Map.of("quality", "best"))));
        assertTrue(q.getMessage().contains("'best'"), q.getMessage());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
