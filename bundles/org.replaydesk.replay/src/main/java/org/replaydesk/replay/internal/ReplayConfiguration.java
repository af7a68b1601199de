package org.replaydesk.replay.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the replay client (PID {@code org.replaydesk.replay}). */
@ObjectClassDefinition(name = "ReplayDesk replay client",
        description = "Replays recording VMs of a server host (or this one) from their snapshots and live record logs")
public @interface ReplayConfiguration {

    @AttributeDefinition(description = "The rdfuse helper; empty: ${karaf.home}/native/rdfuse, else rdfuse on PATH")
    String rdfuse_binary() default "";

    @AttributeDefinition(description = "qemu-img, to point a fetched snapshot image at its fetched base")
    String qemu_img_binary() default "qemu-img";

    @AttributeDefinition(description = "Folder for mount points and spool files; empty: ${karaf.data}/replaydesk/replay")
    String work_dir() default "";

    @AttributeDefinition(description = "Token of the server's record-log streamer (needed off loopback); prefer .log.token")
    String log_token() default "";

    @AttributeDefinition(name = ".log.token", description = "Private form of log.token (not shown by config tools)")
    String _log_token() default "";

    @AttributeDefinition(description = "PEM file with the CA certificates of the servers' record-log streamers; "
            + "empty: plain TCP (the chunk server's trust is the pager's client.tls.trust)")
    String log_tls_trust() default "";

    @AttributeDefinition(description = "How long the replayer may take to start (its snapshot is paged in first)")
    int start_timeout_seconds() default 120;

    @AttributeDefinition(description = "Threads that fetch image chunks for the helper")
    int image_threads() default 4;

    @AttributeDefinition(description = "Chunks fetched beyond each miss in a snapshot's memory image (0-1024). The "
            + "replayer reads memory where the guest touches it, not in order, so a wide window (the pager's "
            + "read.ahead, for sequential images) fetches chunks it never reads")
    int memory_read_ahead() default MEMORY_READ_AHEAD;

    /** Measured in ReplayIT's first join (docs/benchmarks.md, "Snapshot memory on demand"). */
    int MEMORY_READ_AHEAD = 4;
}
