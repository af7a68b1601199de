package org.replaydesk.pager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.replaydesk.api.ReplayDeskException;

/** Manifest JSON (golden form, round trip, bad input) and chunk hashes. */
class ManifestTest {

    /** SHA-256("abc"), FIPS 180-2's example. */
    static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void hashIsSha256InLowerCaseHex() {
        assertEquals(ABC, ChunkHash.of("abc".getBytes(StandardCharsets.US_ASCII)).hex());
        assertEquals(ChunkHash.parse(ABC), ChunkHash.parse(ABC.toUpperCase()));
    }

    @Test
    void badHashesAreNamed() {
        assertEquals("chunk hash 'xyz' is not 64 hex digits",
                assertThrows(ReplayDeskException.class, () -> ChunkHash.parse("xyz")).getMessage());
        assertEquals("chunk hash '" + "g".repeat(64) + "' is not 64 hex digits",
                assertThrows(ReplayDeskException.class, () -> ChunkHash.parse("g".repeat(64))).getMessage());
    }

    @Test
    void jsonHasAFixedForm() {
        Manifest m = new Manifest("vm1-s1", 5000, 4096, List.of(ChunkHash.parse(ABC), ChunkHash.parse(ABC)));
        String json = "{\"format\":1,\"imageId\":\"vm1-s1\",\"imageSize\":5000,\"chunkSize\":4096,\"chunks\":[\""
                + ABC + "\",\"" + ABC + "\"]}";
        assertEquals(json, m.toJson());
        assertEquals(m, Manifest.fromJson(json));
        assertEquals(4096, m.chunkLength(0));
        assertEquals(904, m.chunkLength(1));
        assertEquals(1, m.distinctChunks().size());
    }

    @Test
    void inconsistentManifestsAreRefusedWithTheReason() {
        assertEquals("image a: 5000 bytes in chunks of 4096 make 2 chunks, but the manifest lists 1",
                assertThrows(ReplayDeskException.class,
                        () -> new Manifest("a", 5000, 4096, List.of(ChunkHash.parse(ABC)))).getMessage());
        assertEquals("chunk size 5000 is not a power of two from 4096 to 16777216",
                assertThrows(ReplayDeskException.class, () -> new Manifest("a", 0, 5000, List.of())).getMessage());
        assertThrows(ReplayDeskException.class, () -> new Manifest("../etc", 0, 4096, List.of()));
    }

    @Test
    void badJsonNamesTheField() {
        assertEquals("manifest format 2 is not 1", assertThrows(ReplayDeskException.class,
                () -> Manifest.fromJson("{\"format\":2}")).getMessage());
        assertEquals("manifest field 'imageSize' is missing or not an integer", assertThrows(ReplayDeskException.class,
                () -> Manifest.fromJson("{\"format\":1,\"imageId\":\"a\",\"imageSize\":\"9\"}")).getMessage());
        assertEquals("manifest field 'chunks' is missing or not an array", assertThrows(ReplayDeskException.class,
                () -> Manifest.fromJson("{\"format\":1,\"imageId\":\"a\",\"imageSize\":0,\"chunkSize\":4096}"))
                .getMessage());
        assertThrows(ReplayDeskException.class, () -> Manifest.fromJson("{\"format\":1,"));
    }
}
