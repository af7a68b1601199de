package org.replaydesk.recordlog.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
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
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmEvent;
import org.replaydesk.api.hypervisor.VmEventListener;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.recordlog.IcountSource;
import org.replaydesk.recordlog.RecordLogPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record-log server of this host: publishes the log of every recording VM of the {@link Hypervisor} while it
 * starts or runs, and tells subscribers when its recorder has stopped.
 *
 * <p>The hypervisor reference is OPTIONAL, DYNAMIC and GREEDY (as in the VNC display provider): a restart of the
 * driver rebinds it without tearing down the listening port and the streams of finished logs.
 *
 * <p>VM events arrive on a driver thread that must not block; publishing asks the VM for its spec and log path, so
 * it runs on one worker thread, which also keeps each VM's events in order.
 */
@Component(service = RecordLogPublisher.class, configurationPid = "org.replaydesk.recordlog", immediate = true)
@Designate(ocd = RecordLogConfiguration.class)
public class RecordLogService implements RecordLogPublisher, VmEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(RecordLogService.class);

    private final EventLoopGroup group;
    private final RecordLogServer server;
    private final ExecutorService worker;
    private volatile Hypervisor hypervisor;
    /** VMs whose current run is published; worker thread only. */
    private final Set<VmName> live = new java.util.HashSet<>();

    /**
     * Validates the configuration (failing activation when it is unsafe or unusable) and listens.
     *
     * @param config the configuration
     * @throws IOException when the port cannot be bound
     */
    @Activate
    public RecordLogService(RecordLogConfiguration config) throws IOException {
        Settings settings = Settings.of(config);
        group = new NioEventLoopGroup(1, new DefaultThreadFactory("recordlog-server", true));
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "recordlog-worker");
            t.setDaemon(true);
            return t;
        });
        server = new RecordLogServer(settings.listen, settings.token, settings.tls, settings.poll, settings.heartbeat,
                group);
        try {
            server.start();
        } catch (IOException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            worker.shutdownNow();
            LOG.error("record-log streamer not started: {}", e.getMessage());
            throw e;
        }
    }

    /** The checked configuration. */
    record Settings(InetSocketAddress listen, String token, SslContext tls, Duration poll, Duration heartbeat) {

        static Settings of(RecordLogConfiguration config) {
            InetAddress address;
            try {
                address = InetAddress.getByName(config.listen_address().trim());
            } catch (UnknownHostException e) {
                throw fail("listen.address '" + config.listen_address() + "' does not resolve");
            }
            if (config.port() < 1 || config.port() > 65535) {
                throw fail("port " + config.port() + " is not a TCP port");
            }
            if (config.poll_interval_ms() < 1 || config.poll_interval_ms() > 1000) {
                throw fail("poll.interval.ms " + config.poll_interval_ms() + " is outside 1-1000");
            }
            if (config.heartbeat_interval_ms() < 10 || config.heartbeat_interval_ms() > 10_000) {
                throw fail("heartbeat.interval.ms " + config.heartbeat_interval_ms() + " is outside 10-10000");
            }
            String token = config._token();
            if (token.isEmpty() && !config.token().isEmpty()) {
                LOG.warn("'token' is published as a service property; use '.token' to keep it private");
                token = config.token();
            }
            if (token.length() > HelloFrame.MAX_TOKEN_BYTES) {
                throw fail("the token is longer than " + HelloFrame.MAX_TOKEN_BYTES + " characters");
            }
            boolean loopback = address.isLoopbackAddress();
            if (!loopback && token.isEmpty()) {
                throw fail("listen.address " + address.getHostAddress() + " is not loopback, so anyone on the network "
                        + "could read the desktops' record logs; set '.token' (and tls.keystore), or listen on "
                        + "127.0.0.1");
            }
            SslContext tls = null;
            String keystore = config.tls_keystore().trim();
            if (!keystore.isEmpty()) {
                try {
                    tls = TlsContexts.server(Path.of(keystore), config._tls_keystore_password().toCharArray(),
                            config.tls_key_alias().trim());
                } catch (IllegalArgumentException e) {
                    throw fail(e.getMessage());
                }
            } else if (!loopback) {
                LOG.warn("record logs on {} are streamed without TLS: the token and every keystroke the log holds "
                        + "cross the network in clear; set tls.keystore", address.getHostAddress());
            }
            return new Settings(new InetSocketAddress(address, config.port()), token, tls,
                    Duration.ofMillis(config.poll_interval_ms()), Duration.ofMillis(config.heartbeat_interval_ms()));
        }

        private static IllegalArgumentException fail(String message) {
            LOG.error("record-log streamer not started: {}", message);
            return new IllegalArgumentException(message);
        }

        @Override
        public String toString() {
            return "Settings[listen=" + listen + ", token=" + (token.isEmpty() ? "none" : "set") + ", tls="
                    + (tls != null) + ", poll=" + poll + ", heartbeat=" + heartbeat + "]";
        }
    }

    /**
     * Binds the driver: listens to its events and publishes the VMs already recording.
     *
     * @param hypervisor the driver
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindHypervisor(Hypervisor hypervisor) {
        this.hypervisor = hypervisor;
        hypervisor.addListener(this);
        worker.execute(() -> {
            for (VirtualMachine vm : hypervisor.list()) {
                if (vm.state() == VmState.RUNNING || vm.state() == VmState.PAUSED) {
                    publishIfRecording(vm.name());
                }
            }
        });
    }

    /**
     * Unbinds a driver. Its VMs' processes end with it, so their logs are final or aborted: the publications stay
     * and are marked stopped.
     *
     * @param old the driver going away
     */
    void unbindHypervisor(Hypervisor old) {
        old.removeListener(this);
        if (hypervisor == old) {
            hypervisor = null;
            if (worker.isShutdown()) {
                return; // the component is being deactivated: it unpublishes everything itself
            }
            worker.execute(() -> {
                live.clear();
                server.published().forEach(server::recorderStopped);
            });
        }
    }

    @Override
    public void vmChanged(VmEvent event) {
        VmState state = event.newState();
        if (state == VmState.RUNNING || state == VmState.PAUSED) {
            worker.execute(() -> publishIfRecording(event.vm()));
        } else if (state == VmState.STOPPED || state == VmState.FAILED) {
            worker.execute(() -> {
                live.remove(event.vm());
                server.recorderStopped(event.vm());
            });
        }
    }

    /**
     * Worker thread only. Publishes once per run of the VM, when it runs (not when it starts: until QEMU has opened
     * the log, the file is still the previous run's finished log, and a subscriber would read that). A new run
     * records a new log, so an earlier publication is replaced.
     */
    private void publishIfRecording(VmName name) {
        Hypervisor h = hypervisor;
        if (h == null || live.contains(name)) {
            return;
        }
        h.find(name).ifPresent(vm -> {
            if (vm.spec().mode() == RecordReplayMode.RECORD) {
                live.add(name);
                server.publish(name, vm.recordLog(), icountOf(h, name));
            }
        });
    }

    /** Asks the VM through the driver each time, so a VM object replaced by a driver restart is still found. */
    static IcountSource icountOf(Hypervisor hypervisor, VmName name) {
        return () -> {
            VirtualMachine vm = hypervisor.find(name).orElse(null);
            if (vm == null || !vm.state().hasProcess()) {
                return OptionalLong.empty();
            }
            return vm.status().icount();
        };
    }

    @Override
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void publish(VmName vm, Path log, IcountSource icount) {
        server.publish(vm, log, icount);
    }

    @Override
    public void recorderStopped(VmName vm) {
        server.recorderStopped(vm);
    }

    @Override
    public void unpublish(VmName vm) {
        server.unpublish(vm);
    }

    @Override
    public Set<VmName> published() {
        return server.published();
    }

    @Deactivate
    void deactivate() {
        Hypervisor h = hypervisor;
        if (h != null) {
            h.removeListener(this);
        }
        worker.shutdownNow();
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
