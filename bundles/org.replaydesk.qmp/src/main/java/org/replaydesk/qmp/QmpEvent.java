package org.replaydesk.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * An asynchronous event from QEMU, such as {@code STOP}, {@code RESUME} or {@code SHUTDOWN}.
 *
 * <p>The same instance is handed to every listener, so treat {@link #data()} as read-only.
 *
 * @param name the event name as QEMU spells it, e.g. {@code SHUTDOWN}
 * @param data the event's {@code data} member; an empty object when QEMU sent none, never {@code null}
 * @param timestamp when QEMU emitted the event (host wall clock, from {@code seconds} + {@code microseconds})
 */
public record QmpEvent(String name, JsonNode data, Instant timestamp) {

    /**
     * Rejects missing members so that listeners need no null checks.
     *
     * @param name see {@link #name()}
     * @param data see {@link #data()}
     * @param timestamp see {@link #timestamp()}
     */
    public QmpEvent {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(timestamp, "timestamp");
    }
}
