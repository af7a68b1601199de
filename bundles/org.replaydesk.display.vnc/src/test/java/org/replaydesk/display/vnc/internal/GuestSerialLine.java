package org.replaydesk.display.vnc.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo guest's control line (native-hooks/README.md, serial protocol 1) on QEMU's serial chardev socket: waits
 * for {@code RD: ready}, switches workloads with {@code wl <name>}, and keeps the guest's {@code STAT: anim frames=N}
 * lines (kernel argument {@code rd.stats=1}) with the wall time they arrived, to tell how many frames the guest really
 * drew per wall second in each measuring window.
 */
final class GuestSerialLine implements AutoCloseable {

    private static final Pattern FRAMES = Pattern.compile("^STAT: (\\S+) frames=(\\d+) ");

    /** One STAT line: the guest's frame counter at a wall-clock instant. */
    record FrameSample(long nanoTime, String workload, long frames) {
    }

    private final SocketChannel channel;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final List<FrameSample> samples = new ArrayList<>();
    private final Thread reader;

    private GuestSerialLine(SocketChannel channel) {
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "bench-serial");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Connects as soon as QEMU has created the socket.
     *
     * @param socket QEMU's {@code -chardev socket,...,server=on,wait=off} path
     * @param timeout how long QEMU may take to create it
     * @param qemu the QEMU process (its early death ends the wait with its exit code)
     * @return the connected line
     * @throws IOException if the socket never accepts
     */
    static GuestSerialLine connect(Path socket, Duration timeout, Process qemu) throws IOException,
            InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                return new GuestSerialLine(ch);
            } catch (IOException e) {
                ch.close();
                if (!qemu.isAlive()) {
                    throw new IOException("QEMU exited with status " + qemu.exitValue()
                            + " before opening its serial socket " + socket);
                }
                if (System.nanoTime() > end) {
                    throw new IOException("QEMU's serial socket " + socket + " did not accept within " + timeout, e);
                }
                Thread.sleep(50);
            }
        }
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        StringBuilder line = new StringBuilder();
        try {
            while (channel.read(buffer.clear()) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    char c = (char) (buffer.get() & 0xFF);
                    if (c == '\n') {
                        accept(line.toString().strip());
                        line.setLength(0);
                    } else if (c != '\r' && line.length() < 4096) {
                        line.append(c);
                    }
                }
            }
        } catch (IOException e) {
            // QEMU ended or close() was called: the waits below time out with a clear message
        }
    }

    private void accept(String line) {
        if (line.startsWith("RD: ")) {
            replies.add(line);
            return;
        }
        Matcher m = FRAMES.matcher(line);
        if (m.find()) {
            synchronized (samples) {
                samples.add(new FrameSample(System.nanoTime(), m.group(1), Long.parseLong(m.group(2))));
            }
        }
    }

    /**
     * @param prefix what the awaited reply starts with, e.g. "RD: ready"
     * @param timeout how long to wait
     * @return the reply
     * @throws IOException on timeout, or when the guest answers with "RD: error ..."
     */
    String await(String prefix, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            String reply = replies.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (reply == null) {
                throw new IOException("the demo guest did not answer \"" + prefix + "...\" on its serial line within "
                        + timeout);
            }
            if (reply.startsWith(prefix)) {
                return reply;
            }
            if (reply.startsWith("RD: error")) {
                throw new IOException("the demo guest reported: " + reply);
            }
        }
    }

    /**
     * Switches the guest's workload and waits until it runs.
     *
     * @param workload a workload name (anim, idle, ...)
     * @param timeout how long the switch may take
     */
    void switchTo(String workload, Duration timeout) throws IOException, InterruptedException {
        replies.clear();
        ByteBuffer command = ByteBuffer.wrap(("wl " + workload + "\n").getBytes(StandardCharsets.US_ASCII));
        while (command.hasRemaining()) {
            channel.write(command);
        }
        await("RD: workload=" + workload + " started", timeout);
    }

    /**
     * @param startNanos window start ({@link System#nanoTime})
     * @param endNanos window end
     * @param workload the workload that ran
     * @return frames the guest drew per wall second around the window, or NaN without two STAT lines to compare
     */
    double framesPerSecond(long startNanos, long endNanos, String workload) {
        List<FrameSample> mine;
        synchronized (samples) {
            mine = samples.stream().filter(s -> s.workload().equals(workload)).toList();
        }
        return framesPerSecond(mine, startNanos, endNanos);
    }

    /**
     * The guest prints a line every 5 s of its own time: the rate is taken between the last line at or before the
     * window start (else the first one in it) and the first line at or after its end (else the last one in it).
     */
    static double framesPerSecond(List<FrameSample> samples, long startNanos, long endNanos) {
        FrameSample first = null;
        FrameSample last = null;
        for (FrameSample s : samples) {
            if (s.nanoTime() <= startNanos || first == null) {
                first = s;
            }
            if (last == null || last.nanoTime() < endNanos) {
                last = s;
            }
        }
        if (first == null || last.nanoTime() <= first.nanoTime() || last.frames() < first.frames()) {
            return Double.NaN; // one line only, or the counter restarted with the workload
        }
        return (last.frames() - first.frames()) / ((last.nanoTime() - first.nanoTime()) / 1e9);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
