package org.replaydesk.api.session;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A server host's view of one of its VMs, as a client session polls it.
 *
 * @param recordLogBytes bytes of the VM's record log so far (0 when it does not record)
 * @param displayHost host of the VM's relay display as the server knows it (its listen address; a wildcard or
 *        loopback address means "the server host itself"), empty when the VM has no display
 * @param displayPort TCP port of the relay display, 0 when it has none
 * @param displaySecurity how the relay display authenticates its clients: {@link #SECURITY_NONE},
 *        {@link #SECURITY_VNCAUTH} or {@link #SECURITY_VENCRYPT}; {@link #SECURITY_UNKNOWN} when it could not be told
 * @param damagedPixelsPerSecond screen damage the server relay measures (pixels per second over its short window, about
 *        2 s), negative when it measures none (the display
 *        service of the server has no interaction metrics)
 * @param inputEvents input events the server relay counted in its recent window, negative when unknown
 * @param vmCpuNanos CPU time the VM's process (QEMU) has used since it started, user and system, in nanoseconds; -1
 *        when unknown (the VM has no process, the server cannot read it, or the server is older than 1.3). A
 *        cumulative counter, not a rate, so the server keeps no state per client: a client divides the growth
 *        between two polls by the time between them. It goes back when the VM restarts. Any negative value given
 *        is kept as -1.
 * @param vmNetworkBytes bytes the VM's network has carried since it started, both directions (see
 *        {@link org.replaydesk.api.hypervisor.VirtualMachine#networkBytes()}); -1 when unknown, cumulative like
 *        {@code vmCpuNanos}. Any negative value given is kept as -1.
 * @since 1.1 (1.3: {@code vmCpuNanos} and {@code vmNetworkBytes})
 */
public record ServedVmStatus(long recordLogBytes, String displayHost, int displayPort, String displaySecurity,
        double damagedPixelsPerSecond, int inputEvents, long vmCpuNanos, long vmNetworkBytes) {

    /** The relay asks for no authentication (loopback displays only). */
    public static final String SECURITY_NONE = "none";
    /** VNC authentication in clear: the client needs the relay's VNC password. */
    public static final String SECURITY_VNCAUTH = "vncauth";
    /** VeNCrypt over TLS: the client needs the CA that signed the relay's certificate, maybe a password. */
    public static final String SECURITY_VENCRYPT = "vencrypt";
    /** The server could not tell (the relay did not answer its probe). */
    public static final String SECURITY_UNKNOWN = "unknown";

    public ServedVmStatus {
        Objects.requireNonNull(displayHost, "displayHost");
        Objects.requireNonNull(displaySecurity, "displaySecurity");
        displaySecurity = displaySecurity.toLowerCase(Locale.ROOT);
        if (recordLogBytes < 0) {
            throw new IllegalArgumentException("recordLogBytes " + recordLogBytes + " is negative");
        }
        if (displayPort < 0 || displayPort > 65535) {
            throw new IllegalArgumentException("displayPort " + displayPort + " is not a TCP port");
        }
        // One spelling of "unknown", so equal statuses are equal records.
        vmCpuNanos = Math.max(-1, vmCpuNanos);
        vmNetworkBytes = Math.max(-1, vmNetworkBytes);
    }

    /**
     * A status without the VM's counters (both unknown): the form of API 1.1 and 1.2, kept for their callers.
     *
     * @param recordLogBytes see the record
     * @param displayHost see the record
     * @param displayPort see the record
     * @param displaySecurity see the record
     * @param damagedPixelsPerSecond see the record
     * @param inputEvents see the record
     */
    public ServedVmStatus(long recordLogBytes, String displayHost, int displayPort, String displaySecurity,
            double damagedPixelsPerSecond, int inputEvents) {
        this(recordLogBytes, displayHost, displayPort, displaySecurity, damagedPixelsPerSecond, inputEvents, -1, -1);
    }

    /** @return the relay display's port, when the VM has a display */
    public Optional<Integer> display() {
        return displayPort == 0 ? Optional.empty() : Optional.of(displayPort);
    }

    /**
     * @return {@link #vmCpuNanos()}, empty when unknown
     * @since 1.3
     */
    public OptionalLong knownVmCpuNanos() {
        return vmCpuNanos < 0 ? OptionalLong.empty() : OptionalLong.of(vmCpuNanos);
    }

    /**
     * @return {@link #vmNetworkBytes()}, empty when unknown
     * @since 1.3
     */
    public OptionalLong knownVmNetworkBytes() {
        return vmNetworkBytes < 0 ? OptionalLong.empty() : OptionalLong.of(vmNetworkBytes);
    }
}
