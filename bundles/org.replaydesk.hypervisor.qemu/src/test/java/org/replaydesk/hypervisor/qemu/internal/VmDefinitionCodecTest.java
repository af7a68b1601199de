package org.replaydesk.hypervisor.qemu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.BootSource;
import org.replaydesk.api.hypervisor.ReplaySource;
import org.replaydesk.api.hypervisor.VmSpec;

class VmDefinitionCodecTest {

    @Test
    void roundTripKeepsEveryField() {
        VmSpec spec = VmSpec.builder(VmName.of("r1")).memoryMb(512).workload("video").network(true)
                .boot(BootSource.kernel(Path.of("/k"), Path.of("/i"), "loglevel=3"))
                .replay(new ReplaySource(Path.of("/l"), Path.of("/d.qcow2"), Optional.of(SnapshotTag.of("s1")))).build();
        assertEquals(spec, VmDefinitionCodec.decode(VmDefinitionCodec.encode(spec), Path.of("vm.json")));
    }

    @Test
    void goldenFileOfFormatOne() {
        String json = """
                {"format":1,"name":"demo","memoryMb":256,"workload":"anim","mode":"RECORD","network":false,
                 "boot":{"kernelArgs":""}}""";
        VmSpec spec = VmDefinitionCodec.decode(json.getBytes(StandardCharsets.UTF_8), Path.of("vm.json"));
        assertEquals(VmSpec.builder(VmName.of("demo")).build(), spec);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "{", "{\"format\":2,\"name\":\"a\",\"mode\":\"RECORD\"}",
        "{\"format\":1,\"mode\":\"RECORD\"}", "{\"format\":1,\"name\":\"a\",\"mode\":\"FAST\"}",
        "{\"format\":1,\"name\":\"A B\",\"mode\":\"RECORD\"}", "{\"format\":1,\"name\":\"a\",\"mode\":\"RECORD\",\"memoryMb\":1}"})
    void damagedFilesNameThemselves(String json) {
        ReplayDeskException e = assertThrows(ReplayDeskException.class,
                () -> VmDefinitionCodec.decode(json.getBytes(StandardCharsets.UTF_8), Path.of("/data/vms/a/vm.json")));
        assertTrue(e.getMessage().contains("/data/vms/a/vm.json"), e.getMessage());
        assertTrue(e.status() == Status.FAILED || e.status() == Status.INVALID_ARGUMENT, e.status().name());
    }
}
