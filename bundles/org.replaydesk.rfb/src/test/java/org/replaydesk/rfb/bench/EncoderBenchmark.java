package org.replaydesk.rfb.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.replaydesk.rfb.Encodings;
import org.replaydesk.rfb.FramebufferUpdate;
import org.replaydesk.rfb.PixelFormat;
import org.replaydesk.rfb.PixelRectangle;
import org.replaydesk.rfb.Rect;
import org.replaydesk.rfb.UpdateRectangle;
import org.replaydesk.rfb.codec.FramebufferUpdateEncoder;
import org.replaydesk.rfb.encoding.PixelConverter;

/**
 * Encoder throughput benchmark: 1920x1080 frames per second per encoding on one thread, through
 * {@link FramebufferUpdateEncoder#write} exactly as the VNC relay sends updates (Tight rectangles split, persistent
 * zlib streams).
 *
 * <p>A program, not a test (it takes minutes and its numbers depend on the machine); {@code benchmarks/encoder_bench.sh}
 * builds and runs it. Speed is frames per second of the encoding thread's CPU time, so other work on a shared machine
 * slows the wall clock but barely the result. It uses only the module's exported API, so the same program can measure
 * an older build of the encoders: {@code --variant name=classesDir} (repeatable) loads each build in its own class
 * loader, and every case runs once per variant back to back, so slow and fast phases of a noisy machine hit all
 * variants alike.
 *
 * <p>Options: {@code --variant name=dir}, {@code --rounds n} (with several variants: runs per variant and case, in
 * alternating order, best kept; default 2), {@code --seconds s} (measuring time per case, default 2),
 * {@code --warmup s} (JIT warm-up per case, default 1.5), {@code --no-levels} (skip the zlib level sweep of ZRLE and
 * Tight, run with the last variant), {@code --only text} (cases whose label contains it),
 * {@code --write file} (replace the "## Encoder throughput" section of that markdown file, or append it),
 * {@code --command text} (the reproduce line printed in that section).
 */
public final class EncoderBenchmark {

    static final int WIDTH = 1920;
    static final int HEIGHT = 1080;
    /** Frames per content kind; the encoders cycle through them so the content moves like an animation. */
    static final int FRAMES = 4;
    static final int TILE = 64;
    /** Dirty tiles per "tiles" update: 64 x 64x64 = 262144 pixels, an eighth of the screen. */
    static final int TILES_PER_UPDATE = 64;
    static final String SECTION = "## Encoder throughput";
    static final int[] SWEEP_LEVELS = {1, 3, 6, 9};
    static final String LEVELS_HEADER = "zlib level trade-off, 32 bpp full frame, frames/s / KB per frame:\n\n"
            + "| encoding | content | level 1 | level 3 | level 6 (default) | level 9 |\n|---|---|---:|---:|---:|---:|";

    /** One encoder setting: encoding, client pixel format, Tight JPEG quality (-1 = lossless). */
    record Setting(String label, int encoding, String format, int jpegQuality) {
    }

    static final List<Setting> SETTINGS = List.of(
            new Setting("Raw", Encodings.RAW, "32", -1),
            new Setting("Hextile", Encodings.HEXTILE, "32", -1),
            new Setting("ZRLE", Encodings.ZRLE, "32", -1),
            new Setting("ZRLE", Encodings.ZRLE, "16", -1),
            new Setting("Tight lossless", Encodings.TIGHT, "32", -1),
            new Setting("Tight JPEG q6", Encodings.TIGHT, "32", 6),
            new Setting("Tight JPEG q9", Encodings.TIGHT, "32", 9));

    static final List<String> CONTENTS = List.of("desktop", "photo");
    static final List<String> REGIONS = List.of("full frame", "64 tiles 64x64");

    private EncoderBenchmark() {
    }

    /**
     * @param args see the class comment
     * @throws Exception if a variant cannot be loaded or the markdown file cannot be written
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> variants = new LinkedHashMap<>();
        double seconds = 2;
        double warmup = 1.5;
        String only = null;
        Path write = null;
        String command = "benchmarks/encoder_bench.sh";
        int roundsOption = 2;
        boolean levelSweep = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--variant" -> {
                    int eq = value == null ? -1 : value.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--variant needs name=classesDir, got " + value);
                    }
                    variants.put(value.substring(0, eq), value.substring(eq + 1));
                }
                case "--seconds" -> seconds = Double.parseDouble(value);
                case "--warmup" -> warmup = Double.parseDouble(value);
                case "--only" -> only = value;
                case "--no-levels" -> {
                    levelSweep = false;
                    i--;
                }
                case "--rounds" -> roundsOption = Integer.parseInt(value);
                case "--write" -> write = Paths.get(value);
                case "--command" -> command = value;
                default -> throw new IllegalArgumentException("unknown option " + a
                        + " (options: --variant name=dir, --rounds n, --no-levels, --seconds s, --warmup s, --only text, --write file,"
                        + " --command text)");
            }
            i++;
        }
        List<String> names = new ArrayList<>(variants.keySet());
        List<Method> measures = new ArrayList<>();
        if (variants.isEmpty()) {
            names.add("current");
            measures.add(EncoderBenchmark.class.getMethod("measure", String.class, String.class, int.class,
                    String.class, int.class, int[][].class, double.class, double.class));
        } else {
            for (String dir : variants.values()) {
                measures.add(measureIn(dir));
            }
        }
        List<String[]> rows = new ArrayList<>();
        System.out.println(header(names));
        for (String content : CONTENTS) {
            int[][] frames = frames(content);
            for (Setting s : SETTINGS) {
                for (String region : REGIONS) {
                    String label = s.label() + " " + s.format() + "bpp " + content + " " + region;
                    if (only != null && !label.contains(only)) {
                        continue;
                    }
                    double[][] results = new double[names.size()][];
                    int rounds = names.size() > 1 ? Math.max(1, roundsOption) : 1;
                    for (int round = 0; round < rounds; round++) {
                        // Alternate the order so neither variant always runs right after the other's JIT work.
                        for (int k = 0; k < names.size(); k++) {
                            int v = round % 2 == 0 ? k : names.size() - 1 - k;
                            double[] r = (double[]) measures.get(v).invoke(null, s.format(), region, s.encoding(),
                                    Integer.toString(s.jpegQuality()), -1, frames, warmup, seconds);
                            if (results[v] == null || fps(r) > fps(results[v])) {
                                results[v] = r;
                            }
                        }
                    }
                    String row = row(s, content, region, results);
                    System.out.println(row);
                    rows.add(new String[] {row});
                }
            }
        }
        StringBuilder levels = new StringBuilder();
        if (levelSweep) {
            // What the client's compression level (pseudo-encodings -256..-247) costs, with the last variant.
            levels.append("\n").append(LEVELS_HEADER).append('\n');
            System.out.println();
            System.out.println(LEVELS_HEADER);
            Method measure = measures.get(measures.size() - 1);
            for (String content : CONTENTS) {
                int[][] frames = frames(content);
                for (int encoding : new int[] {Encodings.ZRLE, Encodings.TIGHT}) {
                    StringBuilder row = new StringBuilder("| ").append(encoding == Encodings.ZRLE ? "ZRLE"
                            : "Tight lossless").append(" | ").append(content).append(" |");
                    for (int level : SWEEP_LEVELS) {
                        double[] r = (double[]) measure.invoke(null, "32", REGIONS.get(0), encoding, "-1", level,
                                frames, warmup, seconds / 2);
                        row.append(' ').append(format(fps(r))).append(" / ").append(format(r[2] / r[0] / 1024))
                                .append(" |");
                    }
                    System.out.println(row);
                    levels.append(row).append('\n');
                }
            }
        }
        if (write != null) {
            StringBuilder table = new StringBuilder(header(names)).append('\n');
            for (String[] r : rows) {
                table.append(r[0]).append('\n');
            }
            table.append(levels);
            writeSection(write, names, table.toString(), command, seconds, warmup);
        }
    }

    /** Loads this class again, with the encoders from {@code classesDir} instead of the ones on the class path. */
    private static Method measureIn(String classesDir) throws Exception {
        Path own = Paths.get(PixelConverter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toAbsolutePath().normalize();
        Path replacement = Paths.get(classesDir).toAbsolutePath().normalize();
        if (!Files.isDirectory(replacement) && !Files.isRegularFile(replacement)) {
            throw new IllegalArgumentException("variant classes " + replacement + " do not exist");
        }
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Paths.get(entry).toAbsolutePath().normalize();
            urls.add((p.equals(own) ? replacement : p).toUri().toURL());
        }
        // Parent = platform loader: nothing of ours or Netty's is shared, so each variant gets its own classes
        // and its own JIT profile.
        ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        Class<?> bench = Class.forName(EncoderBenchmark.class.getName(), true, loader);
        return bench.getMethod("measure", String.class, String.class, int.class, String.class, int.class,
                int[][].class, double.class, double.class);
    }

    /**
     * Measures one case with the encoders this class was loaded with. Only JDK types cross the call, so a variant
     * in another class loader can be called reflectively.
     *
     * @param format "32" (RGB888 little endian) or "16" (RGB565 little endian)
     * @param region "full frame" or the tiles region
     * @param encoding RFB encoding number
     * @param jpegQuality Tight JPEG quality level, "-1" for lossless
     * @param level zlib level for ZRLE and Tight, -1 for the encoders' default
     * @param frames 0x00RRGGBB 1920x1080 frames
     * @param warmupSeconds JIT warm-up time
     * @param seconds measuring time
     * @return frames, CPU nanoseconds, bytes out, pixels per frame, client bytes per pixel
     */
    public static double[] measure(String format, String region, int encoding, String jpegQuality, int level,
            int[][] frames, double warmupSeconds, double seconds) {
        PixelFormat pixelFormat = "16".equals(format) ? PixelFormat.RGB565_LE : PixelFormat.RGB888_LE;
        FramebufferUpdateEncoder encoder = new FramebufferUpdateEncoder(PixelFormat.RGB888_LE);
        encoder.setPixelFormat(pixelFormat);
        encoder.tight().setJpegQuality(Integer.parseInt(jpegQuality));
        if (level >= 0) {
            encoder.zrle().setLevel(level);
            encoder.tight().setCompressLevel(level);
        }
        FramebufferUpdate[] updates = new FramebufferUpdate[frames.length];
        Random random = new Random(42);
        long pixels = 0;
        for (int f = 0; f < frames.length; f++) {
            List<UpdateRectangle> rects = new ArrayList<>();
            if (region.startsWith("full")) {
                rects.add(PixelRectangle.of(encoding, new Rect(0, 0, WIDTH, HEIGHT), frames[f], WIDTH));
            } else {
                for (int t = 0; t < TILES_PER_UPDATE; t++) {
                    // Dirty rectangles land on a 16-pixel grid, like damage from a guest's framebuffer tracking.
                    int x = random.nextInt((WIDTH - TILE) / 16) * 16;
                    int y = random.nextInt((HEIGHT - TILE) / 16) * 16;
                    rects.add(PixelRectangle.of(encoding, new Rect(x, y, TILE, TILE), frames[f], WIDTH));
                }
            }
            updates[f] = new FramebufferUpdate(rects);
            if (f == 0) {
                pixels = rects.stream().mapToLong(r -> r.rect().area()).sum();
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ByteBuf out = Unpooled.buffer(WIDTH * HEIGHT * 4 + 4096);
        try {
            long start = System.nanoTime();
            int i = 0;
            while (i < 2 || System.nanoTime() - start < warmupSeconds * 1e9) {
                out.clear();
                encoder.write(updates[i++ % updates.length], out);
            }
            long cpuStart = threads.getCurrentThreadCpuTime();
            start = System.nanoTime();
            long bytes = 0;
            int n = 0;
            while (n < 3 || System.nanoTime() - start < seconds * 1e9) {
                out.clear();
                encoder.write(updates[i++ % updates.length], out);
                bytes += out.readableBytes();
                n++;
            }
            long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
            return new double[] {n, cpu, bytes, pixels, pixelFormat.bytesPerPixel()};
        } finally {
            out.release();
            encoder.handlerRemoved(null);
        }
    }

    private static double fps(double[] result) {
        return result[0] / (result[1] / 1e9);
    }

    private static String header(List<String> names) {
        StringBuilder h = new StringBuilder("| encoding | client format | content | region |");
        StringBuilder line = new StringBuilder("|---|---|---|---|");
        for (String n : names) {
            h.append(" frames/s ").append(n).append(" |");
            line.append("---:|");
        }
        if (names.size() > 1) {
            h.append(" speed-up |");
            line.append("---:|");
        }
        String last = names.size() > 1 ? " " + names.get(names.size() - 1) : "";
        h.append(" MB/s in").append(last).append(" |");
        line.append("---:|");
        for (String n : names) {
            h.append(" KB/frame out ").append(n).append(" |");
            line.append("---:|");
        }
        h.append(" ratio").append(last).append(" |");
        line.append("---:|");
        return h + "\n" + line;
    }

    private static String row(Setting s, String content, String region, double[][] results) {
        StringBuilder r = new StringBuilder("| ").append(s.label()).append(" | ")
                .append("16".equals(s.format()) ? "16 bpp RGB565 LE" : "32 bpp RGB888 LE").append(" | ")
                .append(content).append(" | ").append(region).append(" |");
        double[] fps = new double[results.length];
        for (int v = 0; v < results.length; v++) {
            fps[v] = fps(results[v]);
            r.append(' ').append(format(fps[v])).append(" |");
        }
        if (results.length > 1) {
            r.append(' ').append(String.format(Locale.ROOT, "%.1fx", fps[fps.length - 1] / fps[0])).append(" |");
        }
        double[] last = results[results.length - 1];
        // Input = the framebuffer region as the relay holds it, 4 bytes per pixel.
        r.append(' ').append(format(fps[fps.length - 1] * last[3] * 4 / 1e6)).append(" |");
        for (double[] v : results) {
            r.append(' ').append(format(v[2] / v[0] / 1024)).append(" |");
        }
        // Ratio = Raw size in the client's format / bytes sent.
        r.append(' ').append(format(last[3] * last[4] / (last[2] / last[0]))).append(" |");
        return r.toString();
    }

    private static String format(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static void writeSection(Path file, List<String> names, String table, String command, double seconds,
            double warmup) throws IOException {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Paths.get("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException e) {
            // keep "unknown CPU": the numbers are still worth writing
        }
        StringBuilder section = new StringBuilder(SECTION).append("\n\n");
        section.append("Measured ")
                .append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")))
                .append(" UTC on ").append(cpu).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ").append(System.getProperty("java.version")).append(".\n");
        section.append("Reproduce: `").append(command).append("`.\n\n");
        section.append("One thread encodes ").append(WIDTH).append('x').append(HEIGHT)
                .append(" updates through `FramebufferUpdateEncoder.write` (as the relay does), cycling through ")
                .append(FRAMES).append(" moving frames per content, ").append(warmup).append(" s JIT warm-up then ")
                .append(seconds).append(" s measured per case")
                .append(names.size() > 1 ? ", each case run twice per variant, back to back in alternating order, best"
                        + " run kept" : "").append(". ")
                .append("frames/s counts the encoding thread's CPU time (one core). \"desktop\" = solid background, ")
                .append("windows with borders and title bars, text-like glyphs, few colours; \"photo\" = smooth ")
                .append("gradients plus noise, many colours. \"64 tiles\" = 64 dirty 64x64 rectangles scattered on a ")
                .append("16-pixel grid (1/8 of the screen). MB/s in = framebuffer bytes (4 per pixel) encoded per ")
                .append("second; ratio = Raw size in the client's format / bytes sent. Default compression level ")
                .append("(the client sent none).")
                .append(names.size() > 1 ? " Where KB/frame differs slightly between variants, the runs averaged a"
                        + " different mix of the moving frames; for equal input the bytes are equal"
                        + " (EncoderOutputDigestTest)." : "")
                .append("\n\n");
        section.append(table);
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        int start = text.indexOf("\n" + SECTION + "\n");
        String updated;
        if (text.startsWith(SECTION + "\n")) {
            start = 0;
        } else if (start >= 0) {
            start++;
        }
        if (start >= 0) {
            int end = text.indexOf("\n## ", start + SECTION.length());
            updated = text.substring(0, start) + section + (end >= 0 ? text.substring(end) : "");
        } else {
            updated = text + (text.isEmpty() || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n")
                    + section;
        }
        Files.writeString(file, updated, StandardCharsets.UTF_8);
        System.out.println("wrote the \"" + SECTION.substring(3) + "\" section of " + file);
    }

    /** Deterministic test frames; each is the previous scene moved a little. */
    static int[][] frames(String content) {
        int[][] frames = new int[FRAMES][];
        for (int f = 0; f < FRAMES; f++) {
            frames[f] = "photo".equals(content) ? photo(f) : desktop(f);
        }
        return frames;
    }

    private static int[] photo(int frame) {
        int[] px = new int[WIDTH * HEIGHT];
        Random noise = new Random(1000 + frame);
        double phase = frame * 0.15;
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                double u = x / 240.0 + phase;
                double v = y / 180.0 - phase / 2;
                int r = (int) (128 + 90 * Math.sin(u) * Math.cos(v * 0.7));
                int g = (int) (128 + 90 * Math.sin(v + u * 0.3));
                int b = (int) (128 + 90 * Math.cos(u * 0.5 - v));
                int n = noise.nextInt(17) - 8;
                px[y * WIDTH + x] = (clamp(r + n) << 16) | (clamp(g + n) << 8) | clamp(b + noise.nextInt(9) - 4);
            }
        }
        return px;
    }

    private static int clamp(int c) {
        return Math.max(0, Math.min(255, c));
    }

    private static int[] desktop(int frame) {
        int[] px = new int[WIDTH * HEIGHT];
        java.util.Arrays.fill(px, 0x3A6EA5); // wallpaper
        fillRect(px, 0, HEIGHT - 40, WIDTH, 40, 0xD4D0C8); // task bar
        fillRect(px, 0, HEIGHT - 40, WIDTH, 1, 0xFFFFFF);
        long[] glyphs = new long[64];
        Random font = new Random(7);
        for (int g = 1; g < glyphs.length; g++) {
            glyphs[g] = font.nextLong() & 0x00FF_FFFF_FFFF_FFFFL; // 6x9 bits, blank last row
        }
        int[][] windows = {{80, 60, 900, 640}, {700, 240, 1000, 700}, {1300, 90, 560, 420}};
        Random text = new Random(11);
        for (int w = 0; w < windows.length; w++) {
            int wx = windows[w][0] + (w == 1 ? frame * 12 : 0); // one window is being dragged
            int wy = windows[w][1] + (w == 1 ? frame * 4 : 0);
            int ww = windows[w][2];
            int wh = windows[w][3];
            fillRect(px, wx - 1, wy - 1, ww + 2, wh + 2, 0x404040); // border
            fillRect(px, wx, wy, ww, 24, w == 1 ? 0x0A246A : 0x808080); // title bar
            fillRect(px, wx + ww - 20, wy + 4, 16, 16, 0xD4D0C8); // close button
            fillRect(px, wx, wy + 24, ww, wh - 24, 0xFFFFFF);
            int scroll = w == 0 ? frame : 0; // the first window's text scrolls
            for (int line = 0; line * 12 + 34 < wh; line++) {
                int ty = wy + 30 + line * 12;
                int chars = 20 + text.nextInt(ww / 6 - 30);
                for (int c = 0; c < chars; c++) {
                    long glyph = glyphs[(line + scroll) * 31 + c * 7 & 63];
                    if ((line + scroll + c) % 9 == 0) {
                        continue; // spaces between words
                    }
                    int colour = (line + scroll) % 7 == 3 ? 0x0000EE : 0x000000;
                    for (int gy = 0; gy < 9; gy++) {
                        for (int gx = 0; gx < 6; gx++) {
                            if ((glyph >>> (gy * 6 + gx) & 1) != 0) {
                                set(px, wx + 6 + c * 6 + gx, ty + gy, colour);
                            }
                        }
                    }
                }
            }
        }
        return px;
    }

    private static void fillRect(int[] px, int x, int y, int w, int h, int colour) {
        for (int row = Math.max(0, y); row < Math.min(HEIGHT, y + h); row++) {
            java.util.Arrays.fill(px, row * WIDTH + Math.max(0, x), row * WIDTH + Math.min(WIDTH, x + w), colour);
        }
    }

    private static void set(int[] px, int x, int y, int colour) {
        if (x >= 0 && x < WIDTH && y >= 0 && y < HEIGHT) {
            px[y * WIDTH + x] = colour;
        }
    }
}
