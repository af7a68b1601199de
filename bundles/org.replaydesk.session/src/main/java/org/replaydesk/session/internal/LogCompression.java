package org.replaydesk.session.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.Deflater;

/**
 * Estimates how much the record log shrinks on the wire (the streamer deflates it) by deflating the bytes the log
 * grew by since the last probe, at most {@link #MAX_PROBE} of them: the replay traffic a policy compares with the
 * display traffic is the compressed log, and compressibility differs a lot between workloads (timer-only logs
 * compress 10x and more, network packets much less).
 */
final class LogCompression {

    static final int MAX_PROBE = 256 * 1024;

    private final Path log;
    private long probedUpTo = -1;
    private double ratio = 0.3;

    /** @param log the server VM's record log */
    LogCompression(Path log) {
        this.log = log;
    }

    /** @return compressed bytes per log byte, from the last probe (0.3 before the first) */
    double ratio() {
        return ratio;
    }

    /**
     * Deflates what the log grew by since the last call (up to {@link #MAX_PROBE} bytes, from the newest end).
     *
     * @param size the log's size now
     */
    void probe(long size) {
        if (probedUpTo < 0 || size < probedUpTo) {
            probedUpTo = Math.max(0, size - MAX_PROBE);
        }
        long from = Math.max(probedUpTo, size - MAX_PROBE);
        int length = (int) (size - from);
        if (length < 4096) {
            return;
        }
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(length);
            while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
                // read until the buffer is full or the file ends
            }
            byte[] in = buf.array();
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION);
            try {
                d.setInput(in, 0, buf.position());
                d.finish();
                byte[] out = new byte[64 * 1024];
                long compressed = 0;
                while (!d.finished()) {
                    compressed += d.deflate(out);
                }
                if (buf.position() > 0) {
                    ratio = Math.max(0.001, (double) compressed / buf.position());
                }
            } finally {
                d.end();
            }
            probedUpTo = size;
        } catch (IOException e) {
            // Keep the previous ratio: the estimate is still useful and the next probe may work.
        }
    }
}
