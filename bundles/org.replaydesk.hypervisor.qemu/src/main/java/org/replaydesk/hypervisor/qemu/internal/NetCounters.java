package org.replaydesk.hypervisor.qemu.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Reads the network byte counts librrflush keeps for a recorder (native-hooks/rrflush): a 16-byte file, bytes
 * received then bytes sent, two little-endian uint64 that the library adds to through a shared mapping.
 */
final class NetCounters {

    static final int SIZE = 16;

    private NetCounters() {
    }

    /**
     * @param file the counters file
     * @return received plus sent bytes; empty when the file is missing or not 16 bytes (no library, or not yet)
     */
    static OptionalLong total(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length != SIZE) {
                return OptionalLong.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long received = b.getLong();
            long sent = b.getLong();
            return received < 0 || sent < 0 ? OptionalLong.empty() : OptionalLong.of(received + sent);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }
}
