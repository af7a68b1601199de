package org.replaydesk.api.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;

class VmSpecTest {

    @Test
    void defaultsAreRecordingAnimOnTheDemoGuest() {
        VmSpec spec = VmSpec.builder(VmName.of("demo")).build();
        assertEquals(256, spec.memoryMb());
        assertEquals("anim", spec.workload());
        assertEquals(RecordReplayMode.RECORD, spec.mode());
        assertEquals(BootSource.demoGuest(), spec.boot());
        assertTrue(spec.replaySource().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 63, 16385, Integer.MAX_VALUE})
    void memoryOutsideTheRangeIsRejectedWithTheRange(int memory) {
        ReplayDeskException e = assertThrows(ReplayDeskException.class,
                () -> VmSpec.builder(VmName.of("demo")).memoryMb(memory).build());
        assertEquals(Status.INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().contains("64-16384"), e.getMessage());
    }

    @Test
    void replayModeNeedsASource() {
        ReplayDeskException e = assertThrows(ReplayDeskException.class,
                () -> VmSpec.builder(VmName.of("r")).mode(RecordReplayMode.REPLAY).build());
        assertEquals(Status.INVALID_ARGUMENT, e.status());
    }

    @Test
    void replaySetsTheMode() {
        VmSpec spec = VmSpec.builder(VmName.of("r"))
                .replay(new ReplaySource(Path.of("/l"), Path.of("/d"), Optional.empty())).build();
        assertEquals(RecordReplayMode.REPLAY, spec.mode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Demo", "-x", "a b", "../etc", "a/b", "x;rm"})
    void unsafeNamesAreRejected(String name) {
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> VmName.of(name));
        assertEquals(Status.INVALID_ARGUMENT, e.status());
    }
}
