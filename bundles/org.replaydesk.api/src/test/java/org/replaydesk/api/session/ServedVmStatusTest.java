package org.replaydesk.api.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/** The VM counters of API 1.3: the old constructor leaves them unknown, and every negative means unknown. */
class ServedVmStatusTest {

    @Test
    void theSixParameterConstructorLeavesTheVmCountersUnknown() {
        ServedVmStatus old = new ServedVmStatus(4096, "127.0.0.1", 5750, "vncauth", 2.5, 3);
        assertEquals(-1, old.vmCpuNanos());
        assertEquals(-1, old.vmNetworkBytes());
        assertEquals(OptionalLong.empty(), old.knownVmCpuNanos());
        assertEquals(OptionalLong.empty(), old.knownVmNetworkBytes());
        assertEquals(new ServedVmStatus(4096, "127.0.0.1", 5750, "vncauth", 2.5, 3, -1, -1), old);
    }

    @Test
    void knownCountersAreKeptAndAnyNegativeIsUnknown() {
        ServedVmStatus s = new ServedVmStatus(0, "", 0, "unknown", -1, -1, 1_500_000_000L, 0);
        assertEquals(OptionalLong.of(1_500_000_000L), s.knownVmCpuNanos());
        assertEquals(OptionalLong.of(0), s.knownVmNetworkBytes(), "zero bytes is a count, not unknown");
        ServedVmStatus negative = new ServedVmStatus(0, "", 0, "unknown", -1, -1, Long.MIN_VALUE, -7);
        assertEquals(-1, negative.vmCpuNanos());
        assertEquals(-1, negative.vmNetworkBytes());
        assertEquals(new ServedVmStatus(0, "", 0, "unknown", -1, -1), negative);
    }
}
