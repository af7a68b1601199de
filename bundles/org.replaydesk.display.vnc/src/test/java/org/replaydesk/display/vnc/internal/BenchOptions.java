package org.replaydesk.display.vnc.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.replaydesk.rfb.Encodings;

/**
 * Command-line options of {@link DisplayBenchmark}. Bad input is an {@link IllegalArgumentException} naming the option
 * and what it accepts.
 *
 * @param guestDir folder with the demo guest's vmlinuz and initrd.gz
 * @param docs benchmarks.md to rewrite the display section of, or null to only print
 * @param seconds length of one measuring window
 * @param warmupSeconds time between a client's first update and the start of its window
 * @param rounds how many times each (encoding, server) pair is measured, alternating the order
 * @param workloads guest workloads, in order
 * @param encodings encodings the viewer asks for, in order
 * @param fps the frame rate of {@code anim} (kernel argument rd.fps)
 * @param icount whether QEMU runs with {@code -icount shift=auto} like every ReplayDesk VM
 */
record BenchOptions(Path guestDir, Path docs, int seconds, int warmupSeconds, int rounds, List<String> workloads,
        List<BenchEncoding> encodings, int fps, boolean icount) {

    static final String USAGE = """
            usage: DisplayBenchmark --guest DIR [--docs FILE] [--seconds N] [--warmup N] [--rounds N]
                                    [--workloads anim,idle] [--encodings raw,zrle,tight,tight-jpeg6] [--fps N]
                                    [--plain-tcg]
              --guest DIR      demo guest folder (vmlinuz, initrd.gz), built by native-hooks
              --docs FILE      rewrite the section "%s" of this markdown file
              --seconds N      length of each measuring window (default 20)
              --warmup N       seconds between connecting and measuring (default 3)
              --rounds N       measurements of each encoding and server, order alternating (default 2)
              --workloads L    guest workloads to measure (default anim,idle)
              --encodings L    viewer encodings (default raw,zrle,tight,tight-jpeg6)
              --fps N          anim frame rate (default 25)
              --plain-tcg      run QEMU without -icount (ReplayDesk VMs always use -icount shift=auto)
            """.formatted(BenchReport.HEADING);

    /** The encodings of issue 3's benchmark. */
    enum BenchEncoding {
        RAW("raw", "Raw", false, List.of(Encodings.RAW)),
        ZRLE("zrle", "ZRLE", false, List.of(Encodings.ZRLE)),
        TIGHT("tight", "Tight lossless", false, List.of(Encodings.TIGHT)),
        TIGHT_JPEG6("tight-jpeg6", "Tight JPEG q6", true,
                List.of(Encodings.TIGHT, Encodings.JPEG_QUALITY_LEVEL_0 + 6)),
        /**
         * Level 4: the relay's libjpeg-style quality for it (62, TigerVNC's table) is the one QEMU 7.2 uses for
         * level 6 (60), so "relay q4" next to "QEMU q6" compares equal image quality.
         */
        TIGHT_JPEG4("tight-jpeg4", "Tight JPEG q4", true,
                List.of(Encodings.TIGHT, Encodings.JPEG_QUALITY_LEVEL_0 + 4));

        final String option;
        final String label;
        /** Whether QEMU must allow lossy methods for it (its {@code -vnc ...,lossy=on}). */
        final boolean lossy;
        /** The SetEncodings list, DesktopSize added by {@link #setEncodings}. */
        private final List<Integer> pixelEncodings;

        BenchEncoding(String option, String label, boolean lossy, List<Integer> pixelEncodings) {
            this.option = option;
            this.label = label;
            this.lossy = lossy;
            this.pixelEncodings = pixelEncodings;
        }

        /** @return what the viewer sends: the encoding, its quality pseudo-encoding if any, and DesktopSize */
        List<Integer> setEncodings() {
            List<Integer> out = new ArrayList<>(pixelEncodings);
            out.add(Encodings.DESKTOP_SIZE);
            return out;
        }

        static BenchEncoding of(String option) {
            for (BenchEncoding e : values()) {
                if (e.option.equals(option)) {
                    return e;
                }
            }
            List<String> known = new ArrayList<>();
            for (BenchEncoding e : values()) {
                known.add(e.option);
            }
            throw new IllegalArgumentException("--encodings: unknown encoding \"" + option + "\"; known: "
                    + String.join(", ", known));
        }
    }

    /** Workloads of the demo guest (native-hooks/README.md) that show something steady to measure. */
    static final List<String> KNOWN_WORKLOADS = List.of("anim", "idle", "video", "type", "cpu");

    static BenchOptions parse(String... args) {
        Path guest = null;
        Path docs = null;
        int seconds = 20;
        int warmup = 3;
        int rounds = 2;
        int fps = 25;
        boolean icount = true;
        List<String> workloads = List.of("anim", "idle");
        List<BenchEncoding> encodings = List.of(BenchEncoding.values());
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--plain-tcg")) {
                icount = false;
                continue;
            }
            if (option.equals("--help") || option.equals("-h")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value\n" + USAGE
                        : "unexpected argument \"" + option + "\"\n" + USAGE);
            }
            String value = args[++i];
            switch (option) {
                case "--guest" -> guest = Path.of(value);
                case "--docs" -> docs = Path.of(value);
                case "--seconds" -> seconds = positive(option, value, 1);
                case "--warmup" -> warmup = positive(option, value, 0);
                case "--rounds" -> rounds = positive(option, value, 1);
                case "--fps" -> fps = positive(option, value, 1);
                case "--workloads" -> workloads = workloads(option, value);
                case "--encodings" -> encodings = list(option, value).stream().map(BenchEncoding::of).toList();
                default -> throw new IllegalArgumentException("unknown option \"" + option + "\"\n" + USAGE);
            }
        }
        if (guest == null) {
            throw new IllegalArgumentException("--guest is required: the folder with the demo guest's vmlinuz and "
                    + "initrd.gz (mvn -pl native-hooks package builds it into native-hooks/target/guest)\n" + USAGE);
        }
        return new BenchOptions(guest, docs, seconds, warmup, rounds, workloads, encodings, fps, icount);
    }

    private static int positive(String option, String value, int min) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a whole number of at least " + min + ", not \"" + value
                + "\"");
    }

    private static List<String> list(String option, String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(option + " needs a comma-separated list, not \"" + value + "\"");
        }
        return out;
    }

    private static List<String> workloads(String option, String value) {
        List<String> out = list(option, value);
        for (String w : out) {
            if (!KNOWN_WORKLOADS.contains(w)) {
                throw new IllegalArgumentException("--workloads: unknown workload \"" + w + "\"; known: "
                        + String.join(", ", KNOWN_WORKLOADS));
            }
        }
        return out;
    }
}
