package org.replaydesk.hypervisor.qemu.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Copies of a recorder's RAM file, taken while the guest is stopped around {@code savevm}.
 *
 * <p>The copy is sparse: a 64 KiB block of zeros becomes a hole, so a 256 MiB guest that uses 60 MiB costs 60 MiB on
 * disk, and the chunk store and the pager see zero chunks for the rest (which cost nothing on the wire). It runs
 * while the guest is stopped, so it must be quick: reading 256 MiB from tmpfs and writing the data blocks takes about
 * 0.1 s on the reference machine, about what {@code savevm} itself took when the vmstate carried all of RAM.
 */
final class MemoryImages {

    static final int BLOCK = 64 * 1024;
    private static final int READ = 16 * BLOCK;
    private static final byte[] ZERO = new byte[BLOCK];

    private MemoryImages() {
    }

    /**
     * Copies {@code source} to {@code target} (replaced atomically, so a reader never sees half a copy), leaving
     * holes for all-zero blocks.
     *
     * @return the bytes of data written (the rest are holes)
     * @throws UncheckedIOException naming the file that failed
     */
    static long copySparse(Path source, Path target) {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        long written = 0;
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = in.size();
            ByteBuffer buffer = ByteBuffer.allocate(READ);
            byte[] bytes = buffer.array();
            long position = 0;
            while (position < size) {
                buffer.clear();
                int n = 0;
                while (n < READ && position + n < size) {
                    int r = in.read(buffer, position + n);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
                if (n == 0) {
                    break;
                }
                for (int offset = 0; offset < n; offset += BLOCK) {
                    int length = Math.min(BLOCK, n - offset);
                    if (Arrays.mismatch(bytes, offset, offset + length, ZERO, 0, length) >= 0) {
                        out.write(ByteBuffer.wrap(bytes, offset, length), position + offset);
                        written += length;
                    }
                }
                position += n;
            }
            // A trailing hole still counts towards the size: the replayer maps the whole guest RAM.
            if (size > 0 && out.size() < size) {
                out.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("cannot copy guest RAM " + source + " to " + target + ": " + e.getMessage(), e);
        }
        try {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("cannot move the copy of guest RAM to " + target + ": " + e.getMessage(), e);
        }
        return written;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort after a failure that is reported anyway
        }
    }
}
