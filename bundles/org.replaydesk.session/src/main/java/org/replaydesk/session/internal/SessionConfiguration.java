package org.replaydesk.session.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code org.replaydesk.session}; changes apply to running sessions without resetting them. */
@ObjectClassDefinition(name = "ReplayDesk sessions",
        description = "Adaptive desktop sessions and the policy that switches them between display and replay.")
public @interface SessionConfiguration {

    @AttributeDefinition(name = "Policy", description = "Name of the mode-switching policy sessions use "
            + "(replaydesk.policy.name of an installed ModeSwitchPolicy). Falls back to 'paper' when not installed.")
    String policy_name() default "paper";

    @AttributeDefinition(name = "Policy target", description = "LDAP filter over policy service properties, e.g. "
            + "(replaydesk.policy.name=snowbird); when set it wins over policy.name. Empty: not used.")
    String policy_target() default "";

    @AttributeDefinition(name = "Tick", description = "Milliseconds between two decisions of a session (100-10000).")
    int tick_ms() default 1000;

    @AttributeDefinition(name = "Chunk horizon", description = "Seconds over which the chunk traffic of a join is "
            + "spread when estimating replay traffic in display mode (the paper's 20-minute back-off by default).")
    int chunk_horizon_seconds() default 1200;

    @AttributeDefinition(name = "Join estimate", description = "Megabytes a first join is expected to move on the "
            + "wire before one was measured (the demo guest's 90 MB of chunks are 34.9 MB deflated).")
    int join_estimate_megabytes() default 40;

    @AttributeDefinition(name = "Log buffer", description = "Megabytes of record log waiting for the replayer "
            + "that count as a full buffer (the paper: 16 MiB): REPLAY goes back to display at once.")
    int log_buffer_megabytes() default 16;

    @AttributeDefinition(name = "Display bytes per damaged pixel", description = "Encoded bytes per damaged pixel "
            + "used to estimate display traffic in replay mode until a session has calibrated its own in display mode.")
    double display_bytes_per_damaged_pixel() default 0.25;

    @AttributeDefinition(name = "Record log port", description = "TCP port of the server's record-log streamer, "
            + "used to measure the round trip time.")
    int record_log_port() default 5690;

    @AttributeDefinition(name = "Remote display user", description = "Two-host sessions: user name this client "
            + "gives a server host's relay display that asks for VeNCrypt X509Plain. Empty: none.")
    String remote_display_username() default "";

    @AttributeDefinition(name = "Remote display password", type = AttributeType.PASSWORD, description = "Two-host "
            + "sessions: the VNC (vncauth, x509vnc) or X509Plain password of the server hosts' relay displays; "
            + "prefer '.remote.display.password', which is not published as a service property.")
    String remote_display_password() default "";

    @AttributeDefinition(name = "Remote display password (private)", type = AttributeType.PASSWORD,
            description = "As remote.display.password, kept out of the service properties; wins over it.")
    String _remote_display_password() default "";

    @AttributeDefinition(name = "Remote display TLS trust", description = "Two-host sessions: PEM file with the CA "
            + "of the server hosts' relay display certificates (VeNCrypt). Empty: the relay displays are reached "
            + "without TLS.")
    String remote_display_tls_trust() default "";
}
