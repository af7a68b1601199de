package org.replaydesk.recordlog.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.VmName;
import org.replaydesk.qmp.QmpClient;
import org.replaydesk.recordlog.Heartbeat;
import org.replaydesk.recordlog.RecordLogSink;
import org.replaydesk.recordlog.Subscription;
import org.replaydesk.recordlog.SubscriptionOptions;

/**
 * A real recording QEMU 7.2 (the demo guest, anim) streams its live log through the server and the client into a
 * file; after {@code quit} that file, with the header the END frame carries, equals the recorder's final log byte
 * for byte. A missing QEMU or guest fails the test with what to install or build.
 */
@Timeout(120)
class QemuLiveLogTest {

    private static final VmName VM = VmName.of("rec");
    private static final long RECORD_SECONDS = 12;

    @TempDir
    Path dir;

    private static Path guestDir() {
        Path guest = Path.of(System.getProperty("replaydesk.guest.dir", "../../native-hooks/target/guest"));
        if (!Files.isRegularFile(guest.resolve("vmlinuz")) || !Files.isRegularFile(guest.resolve("initrd.gz"))) {
            fail("demo guest not found in " + guest.toAbsolutePath() + ": run 'mvn -o -q -pl native-hooks package "
                    + "-DskipTests' or pass -Dreplaydesk.guest.dir=/path/to/native-hooks/target/guest");
        }
        return guest;
    }

    private Process startRecorder(Path guest, Path log, Path qmp) throws Exception {
        Path disk = dir.resolve("disk.qcow2");
        try {
            Process img = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M")
                    .redirectErrorStream(true).start();
            assertTrue(img.waitFor(20, TimeUnit.SECONDS) && img.exitValue() == 0, "qemu-img create failed");
            // the command line of the QEMU driver (QemuCommandLine) for a recording, kernel-booted demo guest
            return new ProcessBuilder("qemu-system-x86_64", "-nodefaults", "-no-user-config", "-machine", "pc",
                    "-accel", "tcg", "-smp", "1", "-m", "256", "-icount", "shift=auto,rr=record,rrfile=" + log,
                    "-rtc", "base=utc,clock=vm", "-kernel", guest.resolve("vmlinuz").toString(),
                    "-initrd", guest.resolve("initrd.gz").toString(),
                    "-append", "console=ttyS0 vga=0x312 quiet rd.wl=anim",
                    "-drive", "file=" + disk + ",format=qcow2,if=none,id=disk0-direct",
                    "-drive", "driver=blkreplay,if=none,image=disk0-direct,id=disk0",
                    "-device", "virtio-blk-pci,drive=disk0", "-vga", "std", "-display", "none",
                    "-serial", "file:" + dir.resolve("serial.log"), "-net", "none",
                    "-qmp", "unix:" + qmp + ",server=on,wait=off")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.out").toFile()).start();
        } catch (IOException e) {
            return fail("cannot run QEMU (install Debian's qemu-system-x86 and qemu-utils, QEMU 7.2; "
                    + "scripts/packages.sh does it): " + e.getMessage(), e);
        }
    }

    /** Writes each frame at its offset, as the client's FUSE helper will. */
    private static final class FileSink implements RecordLogSink {
        final RandomAccessFile file;
        final CollectingSink events = new CollectingSink(0);
        volatile Heartbeat lastWithIcount;

        FileSink(Path path) throws IOException {
            file = new RandomAccessFile(path.toFile(), "rw");
        }

        @Override
        public void onData(long offset, byte[] bytes) {
            try {
                file.seek(offset);
                file.write(bytes);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            events.onData(offset, bytes); // checks the order
        }

        @Override
        public void onHeartbeat(Heartbeat heartbeat) {
            if (heartbeat.icount().isPresent()) {
                lastWithIcount = heartbeat;
            }
        }

        @Override
        public void onEnd(long finalSize, byte[] header) {
            try {
                file.seek(0);
                file.write(header);
                file.close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            events.onEnd(finalSize, header);
        }

        @Override
        public void onError(ReplayDeskException error) {
            events.onError(error);
        }
    }

    @Test
    void liveLogOfARecordingQemuArrivesByteIdentical() throws Exception {
        Path guest = guestDir();
        Path log = dir.resolve("record.log");
        Path qmpSocket = dir.resolve("qmp.sock");
        Path copy = dir.resolve("streamed.log");
        EventLoopGroup group = new NioEventLoopGroup(2);
        Process qemu = startRecorder(guest, log, qmpSocket);
        try (RecordLogServer server = new RecordLogServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                "", null, Duration.ofMillis(5), Duration.ofMillis(100), group).start();
                NettyRecordLogSubscriber subscriber = new NettyRecordLogSubscriber(group, false);
                QmpClient qmp = QmpClient.connect(qmpSocket, Duration.ofSeconds(20))) {
            assertTrue(qmp.queryReplay().isRecording());
            server.publish(VM, log, () -> OptionalLong.of(qmp.queryReplay().icount()));
            FileSink sink = new FileSink(copy);
            Subscription subscription = subscriber.subscribe(server.address(), VM, 0, sink,
                    SubscriptionOptions.defaults());
            Thread.sleep(RECORD_SECONDS * 1000);
            long streamedWhileRunning = subscription.deliveredOffset();
            long icountAtQuit = qmp.queryReplay().icount();
            qmp.quit();
            assertTrue(qemu.waitFor(30, TimeUnit.SECONDS), "QEMU exits after quit");
            server.recorderStopped(VM);
            CollectingSink.End end = sink.events.awaitEnd(30);
            byte[] recorded = Files.readAllBytes(log);
            assertEquals(recorded.length, end.finalSize());
            assertNull(sink.events.orderError);
            assertArrayEquals(new byte[] {0x00, (byte) 0xe0, 0x20, 0x0c}, end.header(), "QEMU 7.2 log version");
            assertTrue(java.util.Arrays.equals(recorded, Files.readAllBytes(copy)),
                    "the streamed log equals the recorder's final log");
            assertTrue(streamedWhileRunning > recorded.length / 2, "most of the log was streamed live: "
                    + streamedWhileRunning + " of " + recorded.length);
            Heartbeat beat = sink.lastWithIcount;
            assertTrue(beat != null && beat.icount().getAsLong() > 0 && beat.icount().getAsLong() <= icountAtQuit,
                    "heartbeats carried the recorder's icount: " + beat);
            System.out.printf("live QEMU log: %d bytes, %d streamed before quit, %d bytes on the wire (zlib), last "
                    + "heartbeat %s%n", recorded.length, streamedWhileRunning, subscription.wireBytesReceived(), beat);
        } finally {
            if (qemu.isAlive()) {
                qemu.destroyForcibly();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
