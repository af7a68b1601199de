package org.replaydesk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.replaydesk.pager.CacheStats;
import org.replaydesk.pager.ChunkCache;
import org.replaydesk.pager.ChunkHash;

class CacheStatsCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream original;

    @BeforeEach
    void captureOut() {
        original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOut() {
        System.setOut(original);
    }

    @Test
    void noFormatPrintsRawNumbersAndTheHitRate() {
        CacheStatsCommand cmd = new CacheStatsCommand();
        cmd.cache = new ChunkCache() {
            @Override
            public Optional<byte[]> get(ChunkHash hash) {
                return Optional.empty();
            }

            @Override
            public boolean contains(ChunkHash hash) {
                return false;
            }

            @Override
            public void put(ChunkHash hash, byte[] data) {
            }

            @Override
            public long sizeLimit() {
                return 4L << 30;
            }

            @Override
            public CacheStats stats() {
                return new CacheStats(900, 100, 2, 5, 6_553_600, 327_680, 95, 6_225_920, 4L << 30);
            }
        };
        cmd.noFormat = true;
        cmd.execute();
        assertEquals("""
                chunks\t95
                size\t6225920
                limit\t4294967296
                hits\t900
                misses\t100
                hit rate\t90.0%
                corrupted\t2
                evictions\t5
                stored\t6553600
                evicted\t327680
                """, out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }
}
