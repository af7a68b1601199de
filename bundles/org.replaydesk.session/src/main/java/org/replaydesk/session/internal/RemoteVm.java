package org.replaydesk.session.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;
import org.replaydesk.api.session.JoinSnapshot;
import org.replaydesk.api.session.ServedVmStatus;
import org.replaydesk.display.vnc.DisplaySource;
import org.replaydesk.pager.RemoteSessionAgent;
import org.replaydesk.replay.ReplayOptions;
import org.replaydesk.replay.ReplayServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A VM on a server host (a two-host session): snapshots and status come from the server's session agent over the
 * pager connection, pixels from the server's relay display, the log and chunks from its streamer and chunk server.
 * The VM's CPU load and network rate come from the cumulative counters in the server's answers (servers of session
 * API 1.3 and pager protocol 4; older ones leave them unknown).
 */
final class RemoteVm implements ServedVm {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteVm.class);

    /**
     * What this host presents to server relay displays. Never logged.
     *
     * @param username user for VeNCrypt X509Plain, empty for none
     * @param password VNC or X509Plain password, empty for none
     * @param tlsTrust PEM file with the CA of the server displays' certificates, empty: no TLS
     */
    record DisplayCredentials(String username, String password, String tlsTrust) {
        @Override
        public String toString() {
            return "DisplayCredentials[user=" + (username.isEmpty() ? "none" : username) + ", password="
                    + (password.isEmpty() ? "none" : "***") + ", trust=" + (tlsTrust.isEmpty() ? "none" : tlsTrust)
                    + "]";
        }
    }

    private final VmName name;
    private final ReplayServer server;
    private final RemoteSessionAgent agent;
    private final DisplaySource displaySource;
    /**
     * Runs the status polls off the session's tick: a server that stopped answering would otherwise hold every tick
     * (and with it the session's safety rules) for up to the pager's timeout, 30 s.
     */
    private final java.util.concurrent.Executor poller;
    private final ExecutorService ownPoller;
    private final AtomicBoolean polling = new AtomicBoolean();
    private final LongSupplier nanoTime;
    /**
     * The VM's CPU time (ns of CPU per s: /1e9 gives cores) and network bytes between answers. Fed by one answer at a
     * time: the open's, then each poll's, which runs only after the one before it ended ({@link #polling}).
     */
    private final CounterRate vmCpu = new CounterRate();
    private final CounterRate vmNetwork = new CounterRate();
    private volatile double vmCpuLoad = Double.NaN;
    private volatile double vmNetworkBytesPerSecond = Double.NaN;
    private volatile ServedVmStatus lastStatus;
    private volatile long lastAnswerNanos;
    private volatile boolean silenceReported;
    private volatile double logRatio = 0.3;

    /** How long a server may leave status polls unanswered before the log says so. */
    static final Duration SILENCE_WARNING = Duration.ofSeconds(10);

    /**
     * Asks the server for the VM's status once, so a session on a VM the server does not run (or a server that serves
     * no sessions) fails to open with the server's own words.
     */
    RemoteVm(VmName name, ReplayServer server, RemoteSessionAgent agent, DisplayCredentials credentials) {
        this(name, server, agent, credentials, null);
    }

    /**
     * @param poller runs status polls; null: a daemon thread of this VM's own
     */
    RemoteVm(VmName name, ReplayServer server, RemoteSessionAgent agent, DisplayCredentials credentials,
            java.util.concurrent.Executor poller) {
        this(name, server, agent, credentials, poller, System::nanoTime);
    }

    /**
     * @param poller runs status polls; null: a daemon thread of this VM's own
     * @param nanoTime the monotonic clock that times the polls (tests script it)
     */
    RemoteVm(VmName name, ReplayServer server, RemoteSessionAgent agent, DisplayCredentials credentials,
            java.util.concurrent.Executor poller, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.ownPoller = poller == null ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "session-status-" + name.value());
            t.setDaemon(true);
            return t;
        }) : null;
        this.poller = poller == null ? ownPoller : poller;
        this.name = name;
        this.server = server;
        this.agent = agent;
        long asked = nanoTime.getAsLong();
        ServedVmStatus status = agent.status(name);
        answered(status, asked, nanoTime.getAsLong());
        this.displaySource = displaySource(server, status, credentials);
        LOG.info("VM {} on {}: relay display {} ({})", name, describe(server), displaySource.describe(),
                status.displaySecurity());
    }

    /**
     * Where the client relay takes the server VM's pixels from: the server relay's port on the server host, with the
     * credentials its security kind asks for.
     */
    static DisplaySource displaySource(ReplayServer server, ServedVmStatus status, DisplayCredentials credentials) {
        if (status.display().isEmpty()) {
            throw ReplayDeskException.conflict("VM has no display on " + describe(server)
                    + " (is it running there?)");
        }
        InetSocketAddress address = new InetSocketAddress(displayHost(server, status.displayHost()),
                status.displayPort());
        String password = credentials.password().isEmpty() ? null : credentials.password();
        String username = credentials.username().isEmpty() ? null : credentials.username();
        Path trust = credentials.tlsTrust().isBlank() ? null : Path.of(credentials.tlsTrust().trim());
        switch (status.displaySecurity()) {
            case ServedVmStatus.SECURITY_NONE:
                return DisplaySource.tcp(address, null);
            case ServedVmStatus.SECURITY_VNCAUTH:
                if (password == null) {
                    throw ReplayDeskException.invalid("the relay display on " + describe(server) + " asks for a VNC "
                            + "password: set remote.display.password (better '.remote.display.password') in "
                            + "org.replaydesk.session");
                }
                return DisplaySource.tcp(address, password);
            case ServedVmStatus.SECURITY_VENCRYPT:
                if (trust == null) {
                    throw ReplayDeskException.invalid("the relay display on " + describe(server) + " asks for TLS "
                            + "(VeNCrypt): set remote.display.tls.trust to the CA's PEM file in "
                            + "org.replaydesk.session");
                }
                return DisplaySource.tls(address, trust, password == null ? null : username, password);
            default:
                // The server could not tell: use what is configured.
                return trust != null ? DisplaySource.tls(address, trust, password == null ? null : username, password)
                        : DisplaySource.tcp(address, password);
        }
    }

    /**
     * The server's relay listens on its own listen address; a wildcard or loopback address there means "the server
     * host", which this host reaches by the name it was given.
     */
    static String displayHost(ReplayServer server, String reported) {
        String serverHost = server.recordLog().getHostString();
        if (reported.isBlank()) {
            return serverHost;
        }
        try {
            InetAddress a = InetAddress.getByName(reported);
            if (a.isAnyLocalAddress() || a.isLoopbackAddress()) {
                return serverHost;
            }
        } catch (UnknownHostException e) {
            // A name the server resolves: use it as given.
        }
        return reported;
    }

    static String describe(ReplayServer server) {
        return server.recordLog().getHostString() + ":" + server.recordLog().getPort();
    }

    @Override
    public VmName name() {
        return name;
    }

    @Override
    public DisplaySource displaySource() {
        return displaySource;
    }

    /**
     * Returns the log size of the latest answer and asks for a new one in the background (one request at a time), so
     * the value is at most one poll old and a silent server never blocks the caller.
     */
    @Override
    public long logBytes() {
        if (polling.compareAndSet(false, true)) {
            try {
                poller.execute(this::poll);
            } catch (RejectedExecutionException e) {
                polling.set(false); // closed
            }
        }
        return lastStatus.recordLogBytes();
    }

    private void poll() {
        try {
            long asked = nanoTime.getAsLong();
            ServedVmStatus status = agent.status(name);
            answered(status, asked, nanoTime.getAsLong());
            if (silenceReported) {
                silenceReported = false;
                LOG.info("VM {}: server {} answers status requests again", name, describe(server));
            }
        } catch (ReplayDeskException e) {
            // A missed poll keeps the last size: the log rate reads zero for a tick rather than failing it.
            LOG.debug("status of {} from {}: {}", name, describe(server), e.getMessage());
            Duration silent = Duration.ofNanos(nanoTime.getAsLong() - lastAnswerNanos);
            if (!silenceReported && silent.compareTo(SILENCE_WARNING) >= 0) {
                silenceReported = true;
                LOG.warn("VM {}: no status from server {} for {} s ({}); the session keeps its last numbers", name,
                        describe(server), silent.toSeconds(), e.getMessage());
            }
        } finally {
            polling.set(false);
        }
    }

    /**
     * Takes an answer of the server. Its counters were read at some moment of the round trip; the middle is the best
     * guess, and timing each answer by its own poll, rather than by the tick that reads the rate, keeps a poll that
     * waited on the network from stretching or squeezing the interval the growth is divided by.
     *
     * @param status the answer
     * @param askedNanos when the request went out
     * @param answeredNanos when the answer came
     */
    private void answered(ServedVmStatus status, long askedNanos, long answeredNanos) {
        long readNanos = askedNanos + (answeredNanos - askedNanos) / 2;
        // CounterRate gives NaN for the first answer, an unknown counter, and one that went back (the VM restarted).
        vmCpuLoad = vmCpu.rate(status.knownVmCpuNanos(), readNanos) / 1e9;
        vmNetworkBytesPerSecond = vmNetwork.rate(status.knownVmNetworkBytes(), readNanos);
        lastStatus = status;
        lastAnswerNanos = answeredNanos;
    }

    @Override
    public double logCompressionRatio() {
        return logRatio;
    }

    @Override
    public void observeReplayLog(long logBytes, long logWireBytes) {
        // The server's log file is not readable here; a replay shows what its log costs on the wire.
        if (logBytes > (1 << 20) && logWireBytes > 0) {
            logRatio = Math.min(1.0, logWireBytes / (double) logBytes);
        }
    }

    @Override
    public java.util.OptionalDouble serverDamagedPixelsPerSecond() {
        ServedVmStatus s = lastStatus;
        return s == null || s.damagedPixelsPerSecond() < 0 ? java.util.OptionalDouble.empty()
                : java.util.OptionalDouble.of(s.damagedPixelsPerSecond());
    }

    /**
     * @param nowNanos ignored: the rate is the one between the server's last two answers, timed by their polls
     * @return the VM's CPU use in cores between the last two answers (at most one poll old, like the log size); NaN
     *     before the second answer, when the server does not report it, and once after the VM restarted
     */
    @Override
    public double vmCpuLoad(long nowNanos) {
        return vmCpuLoad;
    }

    /**
     * @param nowNanos ignored, as for {@link #vmCpuLoad}
     * @return the VM's network bytes per second between the last two answers; NaN as for {@link #vmCpuLoad}
     */
    @Override
    public double vmNetworkBytesPerSecond(long nowNanos) {
        return vmNetworkBytesPerSecond;
    }

    @Override
    public Duration roundTrip() {
        return agent.lastRoundTrip();
    }

    @Override
    public JoinSnapshot takeJoinSnapshot() {
        return agent.takeJoinSnapshot(name);
    }

    @Override
    public ReplayOptions replayOptions(SnapshotTag snapshot) {
        return new ReplayOptions(Optional.of(server), Optional.of(snapshot), false);
    }

    @Override
    public String server() {
        return describe(server);
    }

    @Override
    public void close() {
        if (ownPoller != null) {
            ownPoller.shutdownNow();
        }
        agent.close();
    }
}
