package org.replaydesk.hypervisor.qemu.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryImagesTest {
    @TempDir
    Path dir;

    @Test
    void copiesDataBlocksAndLeavesHolesForZeroBlocks() throws Exception {
        int block = MemoryImages.BLOCK;
        // 40 blocks (more than one read of 16): data in blocks 1, 17 (second read) and the last byte of the file
        byte[] ram = new byte[40 * block];
        Arrays.fill(ram, block, 2 * block, (byte) 0x5a);
        ram[17 * block + 123] = 1;
        ram[ram.length - 1] = 9;
        Path source = dir.resolve("live.ram");
        Files.write(source, ram);
        Path target = dir.resolve("memory-rd-1.ram");

        long written = MemoryImages.copySparse(source, target);

        assertEquals(3L * block, written, "only the three blocks with data are written");
        assertArrayEquals(ram, Files.readAllBytes(target));
        Process stat = new ProcessBuilder("stat", "-c", "%b", target.toString()).start();
        long allocated = Long.parseLong(new String(stat.getInputStream().readAllBytes()).strip()) * 512;
        assertTrue(allocated <= 4L * block, "sparse on disk: " + allocated + " bytes allocated for " + ram.length);
        assertFalse(Files.exists(dir.resolve("memory-rd-1.ram.partial")));
    }

    @Test
    void aTrailingHoleKeepsTheFullSize() throws Exception {
        byte[] ram = new byte[5 * MemoryImages.BLOCK];
        ram[0] = 1;
        Path source = dir.resolve("live.ram");
        Files.write(source, ram);
        Path target = dir.resolve("copy.ram");
        MemoryImages.copySparse(source, target);
        assertEquals(ram.length, Files.size(target));
        assertArrayEquals(ram, Files.readAllBytes(target));
    }

    @Test
    void aMissingSourceNamesBothFilesAndLeavesNothing() {
        Path target = dir.resolve("copy.ram");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> MemoryImages.copySparse(dir.resolve("gone.ram"), target));
        assertTrue(e.getMessage().contains("gone.ram") && e.getMessage().contains("copy.ram"), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(dir.resolve("copy.ram.partial")));
    }
}
