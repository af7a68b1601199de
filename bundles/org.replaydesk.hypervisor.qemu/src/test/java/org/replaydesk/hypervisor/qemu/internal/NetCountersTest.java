package org.replaydesk.hypervisor.qemu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetCountersTest {
    @TempDir
    Path dir;

    @Test
    void readsReceivedPlusSentFromTheLibrarysLittleEndianFile() throws Exception {
        Path file = dir.resolve("net.counters");
        // golden bytes as librrflush leaves them: received 0x0102 = 258, sent 0x10000 = 65536
        Files.write(file, HexFormat.of().parseHex("0201000000000000" + "0000010000000000"));
        assertEquals(OptionalLong.of(258 + 65536), NetCounters.total(file));
    }

    @Test
    void aMissingOrShortFileIsUnknown() throws Exception {
        assertEquals(OptionalLong.empty(), NetCounters.total(dir.resolve("none")));
        Path shortFile = dir.resolve("short");
        Files.write(shortFile, new byte[8]);
        assertEquals(OptionalLong.empty(), NetCounters.total(shortFile));
        Path negative = dir.resolve("negative");
        Files.write(negative, HexFormat.of().parseHex("ffffffffffffffff" + "0000000000000000"));
        assertEquals(OptionalLong.empty(), NetCounters.total(negative), "not a count");
    }
}
