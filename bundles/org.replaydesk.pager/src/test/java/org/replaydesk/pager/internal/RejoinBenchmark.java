package org.replaydesk.pager.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.Deflater;
import org.replaydesk.pager.ChunkHash;

/**
 * Fixed versus content-defined chunks for a re-join: a client holding image A (an older snapshot of a VM) opens image
 * B (a newer one); what must it fetch? For fixed 64 KiB chunks and for gear-v1 content-defined chunks at each given
 * size triple, on B: chunks, distinct chunks, chunks A lacks, their bytes raw and as the wire would carry them (chunk
 * compression of protocol 2: deflate level 1 when it saves 1/8, plus each frame's header), and chunking speed (cut
 * points only, and cut points plus SHA-256 as an import does; best of 3 on B in memory).
 *
 * <p>Usage: {@code RejoinBenchmark [--cdc MIN,AVG,MAX ...] A B}; default --cdc 8192,32768,131072 (the pager's
 * defaults). {@code benchmarks/chunk_bench.sh --rejoin A B} runs it. CPU only, no network, no store on disk.
 */
public final class RejoinBenchmark {

    private static final int FIXED = 64 << 10;
    private static final int ROUNDS = 3;
    /** Frame bytes around a chunk: type, length, hash; COMPRESSED-CHUNK adds the 4-byte uncompressed length. */
    private static final int FRAME = 5 + ChunkHash.LENGTH;

    /** One way of cutting: the chunk lengths of a whole array. */
    interface Cutter {
        int cut(byte[] data, int from, int available);
    }

    private RejoinBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<int[]> triples = new ArrayList<>();
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--cdc")) {
                String[] p = args[++i].split(",");
                triples.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])});
            } else {
                images.add(Path.of(args[i]));
            }
        }
        if (images.size() != 2) {
            System.err.println("usage: RejoinBenchmark [--cdc MIN,AVG,MAX ...] A B");
            System.exit(2);
        }
        if (triples.isEmpty()) {
            triples.add(new int[] {8192, 32768, 131072});
        }
        byte[] a = Files.readAllBytes(images.get(0));
        byte[] b = Files.readAllBytes(images.get(1));
        System.out.printf(Locale.ROOT, "A = %s (%.1f MB), B = %s (%.1f MB); %d cores, Java %s%n%n", images.get(0),
                a.length / 1e6, images.get(1), b.length / 1e6, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.println("| chunking | chunks of B | distinct | new (A lacks) | to fetch, raw | to fetch, wire "
                + "(deflate 1) | cut MB/s | cut + SHA-256 MB/s |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        row("fixed 64 KiB", (data, from, available) -> Math.min(FIXED, available), a, b);
        for (int[] t : triples) {
            ContentDefinedChunker chunker = new ContentDefinedChunker(t[0], t[1], t[2]);
            row(String.format(Locale.ROOT, "gear-v1 %d/%d/%d KiB", t[0] >> 10, t[1] >> 10, t[2] >> 10),
                    chunker::cut, a, b);
        }
    }

    private static List<Integer> lengths(Cutter cutter, byte[] data) {
        List<Integer> out = new ArrayList<>();
        for (int at = 0; at < data.length; ) {
            int n = cutter.cut(data, at, data.length - at);
            out.add(n);
            at += n;
        }
        return out;
    }

    private static void row(String name, Cutter cutter, byte[] a, byte[] b) {
        Set<ChunkHash> held = new HashSet<>();
        int at = 0;
        for (int n : lengths(cutter, a)) {
            held.add(ChunkHash.of(a, at, n));
            at += n;
        }
        double cutSeconds = Double.MAX_VALUE;
        double hashSeconds = Double.MAX_VALUE;
        List<Integer> lengths = null;
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            lengths = lengths(cutter, b);
            long t1 = System.nanoTime();
            int off = 0;
            for (int n : lengths) {
                ChunkHash.of(b, off, n);
                off += n;
            }
            long t2 = System.nanoTime();
            cutSeconds = Math.min(cutSeconds, (t1 - t0) / 1e9);
            hashSeconds = Math.min(hashSeconds, (t2 - t0) / 1e9);
        }
        Set<ChunkHash> distinct = new HashSet<>();
        Set<ChunkHash> fetched = new HashSet<>();
        long raw = 0;
        long wire = 0;
        Deflater deflater = ChunkCompression.newDeflater();
        at = 0;
        for (int n : lengths) {
            ChunkHash h = ChunkHash.of(b, at, n);
            distinct.add(h);
            if (!held.contains(h) && fetched.add(h)) {
                byte[] chunk = java.util.Arrays.copyOfRange(b, at, at + n);
                byte[] deflated = ChunkCompression.compress(deflater, chunk);
                raw += n;
                wire += deflated == null ? FRAME + n : FRAME + 4 + deflated.length;
            }
            at += n;
        }
        deflater.end();
        // Fixed cuts cost nothing worth a number (no byte is looked at).
        String cut = name.startsWith("fixed") ? "-" : String.format(Locale.ROOT, "%.0f", b.length / 1e6 / cutSeconds);
        System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.1f MB | %.1f MB | %s | %.0f |%n", name,
                lengths.size(), distinct.size(), fetched.size(), raw / 1e6, wire / 1e6, cut,
                b.length / 1e6 / hashSeconds);
    }
}
