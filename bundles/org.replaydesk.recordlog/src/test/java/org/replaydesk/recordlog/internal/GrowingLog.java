package org.replaydesk.recordlog.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a log the way QEMU 7.2 does: bytes 0-11 zero, events appended in chunks (QEMU's stdio buffer makes them
 * 4 KiB), and the version dword written into bytes 0-3 last, when the recording finishes.
 */
final class GrowingLog implements AutoCloseable {

    static final byte[] QEMU_7_2_HEADER = {0x00, (byte) 0xe0, 0x20, 0x0c};

    private final RandomAccessFile file;
    private final Random random;
    final ConcurrentHashMap<Long, Long> writtenNanosByEnd = new ConcurrentHashMap<>();

    GrowingLog(Path path, long seed) throws IOException {
        Files.deleteIfExists(path);
        file = new RandomAccessFile(path.toFile(), "rw");
        random = new Random(seed);
        file.write(new byte[12]);
    }

    synchronized void append(int length) throws IOException {
        byte[] chunk = new byte[length];
        random.nextBytes(chunk);
        file.seek(file.length());
        file.write(chunk);
        writtenNanosByEnd.put(file.length(), System.nanoTime());
    }

    synchronized void appendBytes(byte[] bytes) throws IOException {
        file.seek(file.length());
        file.write(bytes);
        writtenNanosByEnd.put(file.length(), System.nanoTime());
    }

    synchronized void finish() throws IOException {
        file.seek(0);
        file.write(QEMU_7_2_HEADER);
    }

    synchronized long length() throws IOException {
        return file.length();
    }

    @Override
    public synchronized void close() throws IOException {
        file.close();
    }
}
