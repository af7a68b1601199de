package org.replaydesk.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;

/** The catalog's JSON form: golden text, round trip, and a clear error for every kind of bad field. */
class SnapshotCatalogTest {

    private static final VmName VM = VmName.of("desk1");

    /** Two snapshots: one on a raw base, one self-contained (no "backing"). */
    static final String GOLDEN = "{\"format\":1,\"vm\":\"desk1\","
            + "\"recorder\":{\"memoryMb\":256,\"workload\":\"anim\",\"network\":false},"
            + "\"snapshots\":["
            + "{\"tag\":\"rd-1\",\"trigger\":\"BOOT\",\"takenAt\":\"2026-11-22T08:00:00Z\",\"icount\":13790000000,"
            + "\"logOffset\":15000000,\"stallMillis\":210,\"imageId\":\"desk1-rd-1\",\"imageBytes\":90000000,"
            + "\"backing\":{\"imageId\":\"base-9f86d081884c7d65\",\"format\":\"raw\"}},"
            + "{\"tag\":\"rd-2\",\"trigger\":\"PERIODIC\",\"takenAt\":\"2026-11-22T08:05:00.250Z\",\"icount\":20000000000,"
            + "\"logOffset\":17000000,\"stallMillis\":190,\"imageId\":\"desk1-rd-2\",\"imageBytes\":91000000}"
            + "]}";

    static SnapshotCatalog golden() {
        return new SnapshotCatalog(VM, new RecorderSpec(256, "anim", false), List.of(
                new SnapshotInfo(VM, SnapshotTag.of("rd-1"), SnapshotTrigger.BOOT,
                        Instant.parse("2026-11-22T08:00:00Z"), 13_790_000_000L, 15_000_000, Duration.ofMillis(210),
                        "desk1-rd-1", 90_000_000, Optional.of(new BackingImage("base-9f86d081884c7d65", "raw"))),
                new SnapshotInfo(VM, SnapshotTag.of("rd-2"), SnapshotTrigger.PERIODIC,
                        Instant.parse("2026-11-22T08:05:00.250Z"), 20_000_000_000L, 17_000_000,
                        Duration.ofMillis(190), "desk1-rd-2", 91_000_000, Optional.empty())));
    }

    @Test
    void goldenJson() {
        assertEquals(GOLDEN, new String(golden().toJson(), StandardCharsets.UTF_8));
        assertEquals("desk1.snapshots", SnapshotCatalog.imageId(VM));
    }

    @Test
    void roundTrip() {
        SnapshotCatalog back = SnapshotCatalog.fromJson(GOLDEN.getBytes(StandardCharsets.UTF_8));
        assertEquals(golden(), back);
        assertEquals("rd-2", back.newest().orElseThrow().tag().value());
        assertEquals(SnapshotTrigger.BOOT, back.find(SnapshotTag.of("rd-1")).orElseThrow().trigger());
        SnapshotCatalog empty = new SnapshotCatalog(VM, new RecorderSpec(512, "video", true), List.of());
        assertEquals("{\"format\":1,\"vm\":\"desk1\",\"recorder\":{\"memoryMb\":512,\"workload\":\"video\","
                + "\"network\":true},\"snapshots\":[]}", new String(empty.toJson(), StandardCharsets.UTF_8));
        assertEquals(empty, SnapshotCatalog.fromJson(empty.toJson()));
        assertTrue(empty.newest().isEmpty());
    }

    private static String refused(String json) {
        ReplayDeskException e = assertThrows(ReplayDeskException.class,
                () -> SnapshotCatalog.fromJson(json.getBytes(StandardCharsets.UTF_8)));
        assertEquals(Status.INVALID_ARGUMENT, e.status(), e.getMessage());
        return e.getMessage();
    }

    private static String golden(String from, String to) {
        assertTrue(GOLDEN.contains(from), from);
        return GOLDEN.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
    }

    @Test
    void aSnapshotWithAMemoryImageMakesFormat2AndRoundTrips() {
        SnapshotCatalog plain = SnapshotCatalog.fromJson(GOLDEN.getBytes(StandardCharsets.UTF_8));
        SnapshotInfo first = plain.snapshots().get(0);
        SnapshotInfo withMemory = new SnapshotInfo(first.vm(), first.tag(), first.trigger(), first.takenAt(),
                first.icount(), first.logOffset(), first.stall(), first.imageId(), first.imageBytes(), first.backing(),
                java.util.Optional.of("desk1-rd-1-ram"));
        SnapshotCatalog catalog = new SnapshotCatalog(plain.vm(), plain.recorder(), java.util.List.of(withMemory));
        String json = new String(catalog.toJson(), StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"format\":2,"), json);
        assertTrue(json.contains("\"imageBytes\":90000000,\"memoryImageId\":\"desk1-rd-1-ram\""), json);
        assertEquals(catalog, SnapshotCatalog.fromJson(catalog.toJson()));
        // without memory images the catalog stays format 1, which clients of ReplayDesk 1.0 read
        assertTrue(new String(plain.toJson(), StandardCharsets.UTF_8).startsWith("{\"format\":1,"));
    }

    @Test
    void badInputNamesTheField() {
        assertEquals("snapshot catalog is not a JSON object", refused("[1,2]"));
        assertTrue(refused("{\"format\":1,").startsWith("snapshot catalog is not JSON: "));
        assertEquals("snapshot catalog format 3 is not 1 or 2 (a newer snapshotter wrote it: upgrade this client)",
                refused(golden("\"format\":1", "\"format\":3")));
        assertEquals("snapshot catalog format null is not 1 or 2 (a newer snapshotter wrote it: upgrade this client)",
                refused(golden("\"format\":1,", "")));
        assertTrue(refused(golden("\"imageBytes\":90000000", "\"imageBytes\":90000000,\"memoryImageId\":\"a b\""))
                .contains("a b"));
        assertEquals("snapshot catalog field 'catalog.vm' is missing or not a string",
                refused(golden("\"vm\":\"desk1\",", "")));
        assertTrue(refused(golden("\"vm\":\"desk1\"", "\"vm\":\"Desk 1\"")).startsWith("Invalid VM name 'Desk 1'"));
        assertEquals("snapshot catalog field 'recorder' is missing or not an object",
                refused(golden("\"recorder\":{\"memoryMb\":256,\"workload\":\"anim\",\"network\":false},", "")));
        assertEquals("snapshot catalog field 'recorder.network' is missing or not a boolean",
                refused(golden("\"network\":false", "\"network\":\"no\"")));
        assertEquals("snapshot catalog field 'recorder.memoryMb' is missing or not a non-negative integer",
                refused(golden("\"memoryMb\":256", "\"memoryMb\":-256")));
        assertEquals("recorder memory 8 MiB is outside 64-16384", refused(golden("\"memoryMb\":256",
                "\"memoryMb\":8")));
        assertEquals("snapshot catalog field 'snapshots' is missing or not an array",
                refused("{\"format\":1,\"vm\":\"desk1\",\"recorder\":{\"memoryMb\":256,\"workload\":\"anim\","
                        + "\"network\":false}}"));
        assertEquals("snapshot catalog field 'snapshots[0].trigger' is 'REBOOT', not one of BOOT, REQUEST, JOIN, "
                + "PERIODIC", refused(golden("\"BOOT\"", "\"REBOOT\"")));
        assertEquals("snapshot catalog field 'snapshots[1].takenAt' is not an ISO-8601 instant",
                refused(golden("2026-11-22T08:05:00.250Z", "yesterday")));
        assertEquals("snapshot catalog field 'snapshots[0].icount' is missing or not a non-negative integer",
                refused(golden("\"icount\":13790000000", "\"icount\":-1")));
        assertEquals("snapshot catalog field 'snapshots[0].logOffset' is missing or not a non-negative integer",
                refused(golden("\"logOffset\":15000000", "\"logOffset\":1.5")));
        assertEquals("snapshot catalog field 'snapshots[1].stallMillis' is missing or not a non-negative integer",
                refused(golden("\"stallMillis\":190", "\"stallMillis\":-190")));
        assertEquals("snapshot catalog field 'snapshots[1].imageBytes' is missing or not a non-negative integer",
                refused(golden("\"imageBytes\":91000000", "\"imageBytes\":99999999999999999999999")));
        assertTrue(refused(golden("\"imageId\":\"desk1-rd-1\"", "\"imageId\":\"../etc/passwd\""))
                .contains("../etc/passwd"));
        assertTrue(refused(golden("\"tag\":\"rd-1\"", "\"tag\":\"rd 1\"")).startsWith("Invalid snapshot tag 'rd 1'"));
        assertEquals("backing image base-9f86d081884c7d65: format 'vmdk' is neither raw nor qcow2",
                refused(golden("\"format\":\"raw\"", "\"format\":\"vmdk\"")));
        assertEquals("snapshot catalog field 'snapshots[0].backing' is not an object",
                refused(golden("\"backing\":{\"imageId\":\"base-9f86d081884c7d65\",\"format\":\"raw\"}",
                        "\"backing\":\"base\"")));
        assertEquals("snapshot catalog field 'snapshots' holds 7, not an object",
                refused(golden("\"snapshots\":[", "\"snapshots\":[7,")));
    }

    @Test
    void aCatalogLargerThanTheLimitIsRefusedBeforeParsing() {
        byte[] huge = new byte[SnapshotCatalog.MAX_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> SnapshotCatalog.fromJson(huge));
        assertEquals("snapshot catalog of 1048577 bytes is larger than 1048576", e.getMessage());
    }

    @Test
    void aSnapshotOfAnotherVmIsRefused() {
        SnapshotInfo other = golden().snapshots().get(0);
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> new SnapshotCatalog(VmName.of("desk2"),
                new RecorderSpec(256, "anim", false), List.of(other)));
        assertEquals("catalog of desk2 lists snapshot rd-1 of desk1", e.getMessage());
    }
}
