package org.replaydesk.pager.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.replaydesk.pager.ChunkHash;
import org.replaydesk.pager.ImportProgress;
import org.replaydesk.pager.Manifest;
import org.replaydesk.pager.RemoteImage;

/**
 * Measures chunk compression (pager protocol version 2) on two snapshot images A and B of one VM (B taken later),
 * with 64 KiB chunks:
 * <ul>
 * <li>per deflate level, over A's distinct chunks: how many the server would send compressed (the 1/8 rule), the
 * wire bytes of a first join, and the server's CPU time per MB of chunk data it compresses (thread CPU time of the
 * deflate calls alone), and the client's per MB it inflates;</li>
 * <li>over loopback TCP with a real {@link ChunkServer} and {@link NettyImagePager}, compression on and off: a first
 * join (A into an empty cache, read start to end in 128 KiB reads) and a repeat join (B on the cache A left): wire
 * bytes, time (best of 3) and the process's CPU time (client and server together, hashing included).</li>
 * </ul>
 *
 * <p>Usage: {@code ChunkCompressionBenchmark [--work DIR] A B}. {@code benchmarks/chunk_bench.sh --compression} makes
 * A and B from the demo guest and runs this.
 */
public final class ChunkCompressionBenchmark {

    private static final int CHUNK = 64 << 10;
    private static final int READ = 128 << 10;
    private static final int ROUNDS = 3;
    private static final int[] LEVELS = {Deflater.BEST_SPEED, 3, Deflater.DEFAULT_COMPRESSION};

    private ChunkCompressionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = null;
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--work")) {
                work = Path.of(args[++i]);
            } else {
                images.add(Path.of(args[i]));
            }
        }
        if (images.size() != 2) {
            System.err.println("ChunkCompressionBenchmark: give two images, an earlier and a later snapshot of one VM");
            System.exit(2);
        }
        if (work == null) {
            work = Files.createTempDirectory("compressbench");
        }
        FileChunkStore store = new FileChunkStore(work.resolve("store"), CHUNK);
        Manifest a = store.importImage("a", images.get(0), ImportProgress.NONE);
        Manifest b = store.importImage("b", images.get(1), ImportProgress.NONE);
        List<byte[]> chunks = new ArrayList<>();
        long distinctBytes = 0;
        for (ChunkHash h : a.distinctChunks()) {
            byte[] data = store.chunk(h).orElseThrow();
            chunks.add(data);
            distinctBytes += data.length;
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "A: %s, %.1f MB, %d chunks, %d distinct (%.1f MB); B: %.1f MB%n%n",
                images.get(0).getFileName(), a.imageSize() / 1e6, a.chunks().size(), chunks.size(),
                distinctBytes / 1e6, b.imageSize() / 1e6));
        out.append("| deflate level | chunks sent compressed | first join wire MB | of uncompressed | "
                + "server deflate CPU ms per MB of chunks | client inflate CPU ms per MB |\n");
        out.append("|---:|---:|---:|---:|---:|---:|\n");
        long plainWire = distinctBytes + (long) chunks.size() * (PagerFrameDecoder.HEADER + ChunkHash.LENGTH);
        out.append(String.format(Locale.ROOT, "| off | 0 | %.1f | 100 %% | 0 | 0 |%n", plainWire / 1e6));
        for (int level : LEVELS) {
            out.append(levelRow(level, chunks, distinctBytes, plainWire));
        }
        out.append("\n| loopback join | compression | wire MB | chunk MB | time s (best of ").append(ROUNDS)
                .append(") | process CPU s |\n|---|---|---:|---:|---:|---:|\n");
        EventLoopGroup group = new NioEventLoopGroup(2);
        try {
            for (boolean compression : new boolean[] {false, true}) {
                out.append(joins(store, compression, work, group));
            }
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
        System.out.println(out);
        deleteTree(work);
    }

    private static String levelRow(int level, List<byte[]> chunks, long distinctBytes, long plainWire) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Deflater deflater = new Deflater(level, true);
        Inflater inflater = ChunkCompression.newInflater();
        try {
            long best = Long.MAX_VALUE;
            long bestInflate = Long.MAX_VALUE;
            long wire = 0;
            int compressed = 0;
            for (int round = 0; round < ROUNDS; round++) {
                wire = 0;
                compressed = 0;
                List<byte[]> deflated = new ArrayList<>(chunks.size());
                long cpu = threads.getCurrentThreadCpuTime();
                for (byte[] data : chunks) {
                    deflated.add(ChunkCompression.compress(deflater, data));
                }
                best = Math.min(best, threads.getCurrentThreadCpuTime() - cpu);
                for (int i = 0; i < chunks.size(); i++) {
                    byte[] d = deflated.get(i);
                    if (d == null) {
                        wire += PagerFrameDecoder.HEADER + ChunkHash.LENGTH + chunks.get(i).length;
                    } else {
                        compressed++;
                        wire += PagerFrameDecoder.HEADER + ChunkHash.LENGTH + 4 + d.length;
                    }
                }
                cpu = threads.getCurrentThreadCpuTime();
                long inflated = 0;
                for (int i = 0; i < chunks.size(); i++) {
                    if (deflated.get(i) != null) {
                        inflated += ChunkCompression.inflate(inflater, deflated.get(i), chunks.get(i).length).length;
                    }
                }
                long inflateCpu = threads.getCurrentThreadCpuTime() - cpu;
                bestInflate = Math.min(bestInflate, inflated == 0 ? 0 : inflateCpu * (1_000_000L) / inflated);
            }
            return String.format(Locale.ROOT, "| %s | %d of %d | %.1f | %.0f %% | %.2f | %.2f |%n",
                    level == Deflater.DEFAULT_COMPRESSION ? "6 (default)" : level == 1 ? "1 (BEST_SPEED)" : level,
                    compressed, chunks.size(), wire / 1e6, 100.0 * wire / plainWire,
                    best / 1e6 / (distinctBytes / 1e6), bestInflate / 1e6);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalStateException(e);
        } finally {
            deflater.end();
            inflater.end();
        }
    }

    private static String joins(FileChunkStore store, boolean compression, Path work, EventLoopGroup group)
            throws IOException {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] first = {Long.MAX_VALUE, 0, 0, Long.MAX_VALUE};
        long[] repeat = {Long.MAX_VALUE, 0, 0, Long.MAX_VALUE};
        try (ChunkServer server = new ChunkServer(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                "", null, group, compression)) {
            for (int round = 0; round < ROUNDS; round++) {
                Path cacheDir = work.resolve("cache-" + compression + "-" + round);
                NettyImagePager pager = new NettyImagePager(new FileChunkCache(cacheDir, 4L << 30), group, "", null,
                        16, Duration.ofSeconds(60));
                keepBest(first, join(pager, server.address(), "a", os));
                keepBest(repeat, join(pager, server.address(), "b", os));
                deleteTree(cacheDir);
            }
        }
        String mode = compression ? "on (level 1)" : "off";
        return String.format(Locale.ROOT, "| first (A, empty cache) | %s | %.1f | %.1f | %.2f | %.2f |%n"
                + "| repeat (B on A's cache) | %s | %.1f | %.1f | %.2f | %.2f |%n",
                mode, first[1] / 1e6, first[2] / 1e6, first[0] / 1e9, first[3] / 1e9,
                mode, repeat[1] / 1e6, repeat[2] / 1e6, repeat[0] / 1e9, repeat[3] / 1e9);
    }

    /** Keeps the fastest time and lowest CPU; the byte counts are the same every round. */
    private static void keepBest(long[] best, long[] got) {
        best[0] = Math.min(best[0], got[0]);
        best[1] = got[1];
        best[2] = got[2];
        best[3] = Math.min(best[3], got[3]);
    }

    /** @return nanoseconds, wire bytes, chunk bytes, process CPU nanoseconds */
    private static long[] join(NettyImagePager pager, InetSocketAddress server, String imageId,
            com.sun.management.OperatingSystemMXBean os) {
        long cpu = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        try (RemoteImage image = pager.open(server, imageId)) {
            byte[] buffer = new byte[READ];
            long size = image.manifest().imageSize();
            for (long at = 0; at < size; at += READ) {
                image.read(at, buffer, 0, (int) Math.min(READ, size - at));
            }
            return new long[] {System.nanoTime() - t0, image.wireBytesFetched(), image.bytesFetched(),
                    os.getProcessCpuTime() - cpu};
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
