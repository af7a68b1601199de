package org.replaydesk.hypervisor.qemu.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo guest's control line: the VM's first serial port, reached through QEMU's chardev
 * socket. The guest announces itself with lines starting {@code RD: } and takes commands such as
 * {@code wl anim} (see native-hooks/README.md). Everything the guest prints also goes to the
 * serial log file, so this reader only keeps the recent protocol lines.
 */
final class SerialConsole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SerialConsole.class);
    private static final int MAX_LINE = 4096;
    private static final int KEEP_LINES = 256;

    private final SocketChannel channel;
    private final Deque<String> protocolLines = new ArrayDeque<>();
    private final Thread reader;
    private volatile boolean closed;

    private SerialConsole(SocketChannel channel, String vmName) {
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "serial-reader-" + vmName);
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects, retrying until QEMU has created the socket or the deadline passes. */
    static SerialConsole connect(Path socket, String vmName, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                return new SerialConsole(ch, vmName);
            } catch (IOException e) {
                ch.close();
                last = e;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to serial socket " + socket, e);
            }
        }
        throw new IOException("serial socket " + socket + " did not accept a connection within " + timeout.toSeconds() + " s", last);
    }

    /** Sends one command line to the guest. */
    void send(String line) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
        synchronized (channel) {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
    }

    /**
     * Waits for a protocol line (without the "RD: " prefix) matching {@code match} that arrives
     * after {@code sinceCount} lines were seen. Returns it, or null on timeout.
     */
    String await(Predicate<String> match, long sinceCount, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (protocolLines) {
            while (true) {
                long seen = lineCount;
                int skip = (int) Math.max(0, protocolLines.size() - (seen - sinceCount));
                int i = 0;
                for (String line : protocolLines) {
                    if (i++ >= skip && match.test(line)) {
                        return line;
                    }
                }
                long waitNanos = deadline - System.nanoTime();
                if (waitNanos <= 0 || closed) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(protocolLines, waitNanos);
            }
        }
    }

    private long lineCount;

    /** How many protocol lines have arrived so far (a marker for {@link #await}). */
    long lineCount() {
        synchronized (protocolLines) {
            return lineCount;
        }
    }

    /** The most recent protocol line matching, or null. */
    String latest(Predicate<String> match) {
        synchronized (protocolLines) {
            var it = protocolLines.descendingIterator();
            while (it.hasNext()) {
                String line = it.next();
                if (match.test(line)) {
                    return line;
                }
            }
            return null;
        }
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        StringBuilder line = new StringBuilder();
        try {
            while (!closed && channel.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    char c = (char) (buf.get() & 0xff);
                    if (c == '\n') {
                        accept(line.toString().strip());
                        line.setLength(0);
                    } else if (c != '\r' && line.length() < MAX_LINE) {
                        line.append(c);
                    }
                }
                buf.clear();
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("serial console closed: {}", e.getMessage());
            }
        } finally {
            closed = true;
            synchronized (protocolLines) {
                protocolLines.notifyAll();
            }
        }
    }

    private void accept(String line) {
        int at = line.indexOf("RD: ");
        if (at < 0) {
            return;
        }
        synchronized (protocolLines) {
            protocolLines.addLast(line.substring(at + 4));
            if (protocolLines.size() > KEEP_LINES) {
                protocolLines.removeFirst();
            }
            lineCount++;
            protocolLines.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing serial console: {}", e.getMessage());
        }
    }
}
