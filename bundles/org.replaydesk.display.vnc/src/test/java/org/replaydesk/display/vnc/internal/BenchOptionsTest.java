package org.replaydesk.display.vnc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.replaydesk.display.vnc.internal.BenchOptions.BenchEncoding;
import org.replaydesk.rfb.Encodings;

/** The benchmark's command line: defaults, every option, and bad input named in the error. */
class BenchOptionsTest {

    @Test
    void defaultsAreIssue3sBenchmark() {
        BenchOptions o = BenchOptions.parse("--guest", "g");
        assertEquals(new BenchOptions(Path.of("g"), null, 20, 3, 2, List.of("anim", "idle"),
                List.of(BenchEncoding.RAW, BenchEncoding.ZRLE, BenchEncoding.TIGHT, BenchEncoding.TIGHT_JPEG6,
                        BenchEncoding.TIGHT_JPEG4), 25,
                true), o);
    }

    @Test
    void everyOption() {
        BenchOptions o = BenchOptions.parse("--guest", "g", "--docs", "d.md", "--seconds", "5", "--warmup", "0",
                "--rounds", "1", "--workloads", "idle, anim", "--encodings", "tight-jpeg6,raw", "--fps", "50",
                "--plain-tcg");
        assertEquals(new BenchOptions(Path.of("g"), Path.of("d.md"), 5, 0, 1, List.of("idle", "anim"),
                List.of(BenchEncoding.TIGHT_JPEG6, BenchEncoding.RAW), 50, false), o);
    }

    @Test
    void tightJpegAsksForQualityLevelSixAndEveryEncodingForDesktopSize() {
        assertEquals(List.of(Encodings.TIGHT, -26, Encodings.DESKTOP_SIZE), BenchEncoding.TIGHT_JPEG6.setEncodings());
        assertEquals(List.of(Encodings.ZRLE, Encodings.DESKTOP_SIZE), BenchEncoding.ZRLE.setEncodings());
    }

    @Test
    void badInputNamesTheProblem() {
        assertError("--guest is required", "--seconds", "3");
        assertError("--seconds needs a whole number of at least 1, not \"0\"", "--guest", "g", "--seconds", "0");
        assertError("--rounds needs a whole number of at least 1, not \"two\"", "--guest", "g", "--rounds", "two");
        assertError("--encodings: unknown encoding \"hextile\"; known: raw, zrle, tight, tight-jpeg6", "--guest",
                "g", "--encodings", "raw,hextile");
        assertError("--workloads: unknown workload \"game\"", "--guest", "g", "--workloads", "game");
        assertError("--workloads needs a comma-separated list, not \",\"", "--guest", "g", "--workloads", ",");
        assertError("--docs needs a value", "--guest", "g", "--docs");
        assertError("unknown option \"--secs\"", "--guest", "g", "--secs", "3");
        assertError("unexpected argument \"extra\"", "--guest", "g", "extra");
    }

    private static void assertError(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(args));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
