package org.replaydesk.api.hypervisor;

import java.util.Objects;
import java.util.Optional;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;

/**
 * The definition of a desktop VM: everything needed to start it again after a restart of the
 * container. Immutable; build one with {@link #builder(VmName)}.
 *
 * @param name unique name on this host
 * @param memoryMb guest RAM in MiB, {@value #MIN_MEMORY_MB}-{@value #MAX_MEMORY_MB}
 * @param workload the demo guest's initial workload (anim, video, type, idle, net, cpu)
 * @param mode record, replay or neither
 * @param boot what the VM boots
 * @param network user-mode networking (with packet recording under record/replay) or none
 * @param replaySource what to re-execute; present exactly when {@code mode} is REPLAY
 */
public record VmSpec(VmName name, int memoryMb, String workload, RecordReplayMode mode, BootSource boot,
        boolean network, Optional<ReplaySource> replaySource) {

    public static final int MIN_MEMORY_MB = 64;
    public static final int MAX_MEMORY_MB = 16384;
    public static final int DEFAULT_MEMORY_MB = 256;
    public static final String DEFAULT_WORKLOAD = "anim";

    public VmSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(boot, "boot");
        Objects.requireNonNull(replaySource, "replaySource");
        if (memoryMb < MIN_MEMORY_MB || memoryMb > MAX_MEMORY_MB) {
            throw ReplayDeskException.invalid("Invalid memory size " + memoryMb + " MiB for VM '" + name
                    + "': use " + MIN_MEMORY_MB + "-" + MAX_MEMORY_MB + " MiB");
        }
        if (workload == null || workload.isBlank()) {
            workload = DEFAULT_WORKLOAD;
        }
        if (mode == RecordReplayMode.REPLAY && replaySource.isEmpty()) {
            throw ReplayDeskException.invalid("VM '" + name + "' is set to replay but names no record log to replay");
        }
        if (mode != RecordReplayMode.REPLAY && replaySource.isPresent()) {
            throw ReplayDeskException.invalid("VM '" + name + "' has a replay source but its mode is " + mode);
        }
    }

    public static Builder builder(VmName name) {
        return new Builder(name);
    }

    /** A builder starting from this spec, to derive a variant (for example a replayer of it). */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.memoryMb = memoryMb;
        b.workload = workload;
        b.mode = mode;
        b.boot = boot;
        b.network = network;
        b.replaySource = replaySource;
        return b;
    }

    /** Collects the fields of a {@link VmSpec}; defaults: 256 MiB, anim, record, demo guest, no network. */
    public static final class Builder {
        private VmName name;
        private int memoryMb = DEFAULT_MEMORY_MB;
        private String workload = DEFAULT_WORKLOAD;
        private RecordReplayMode mode = RecordReplayMode.RECORD;
        private BootSource boot = BootSource.demoGuest();
        private boolean network;
        private Optional<ReplaySource> replaySource = Optional.empty();

        private Builder(VmName name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder name(VmName value) {
            name = Objects.requireNonNull(value, "name");
            return this;
        }

        public Builder memoryMb(int value) {
            memoryMb = value;
            return this;
        }

        public Builder workload(String value) {
            workload = value;
            return this;
        }

        public Builder mode(RecordReplayMode value) {
            mode = value;
            return this;
        }

        public Builder boot(BootSource value) {
            boot = value;
            return this;
        }

        public Builder network(boolean value) {
            network = value;
            return this;
        }

        /** Sets REPLAY mode with the given source, or clears it (mode left as is) when null. */
        public Builder replay(ReplaySource value) {
            replaySource = Optional.ofNullable(value);
            if (value != null) {
                mode = RecordReplayMode.REPLAY;
            }
            return this;
        }

        public VmSpec build() {
            return new VmSpec(name, memoryMb, workload, mode, boot, network, replaySource);
        }
    }
}
