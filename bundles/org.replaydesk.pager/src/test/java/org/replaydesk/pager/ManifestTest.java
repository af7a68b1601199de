package org.replaydesk.pager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals("manifest format 3 is not 1 or 2", assertThrows(ReplayDeskException.class,
                () -> Manifest.fromJson("{\"format\":3}")).getMessage());
        assertEquals("manifest field 'imageSize' is missing or not an integer", assertThrows(ReplayDeskException.class,
                () -> Manifest.fromJson("{\"format\":1,\"imageId\":\"a\",\"imageSize\":\"9\"}")).getMessage());
        assertEquals("manifest field 'chunks' is missing or not an array", assertThrows(ReplayDeskException.class,
                () -> Manifest.fromJson("{\"format\":1,\"imageId\":\"a\",\"imageSize\":0,\"chunkSize\":4096}"))
                .getMessage());
        assertThrows(ReplayDeskException.class, () -> Manifest.fromJson("{\"format\":1,"));
    }

    /** SHA-256("") */
    static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    static Manifest variable() {
        return new Manifest("vm1-rd-3", 40_000, "gear-v1",
                List.of(ChunkHash.parse(ABC), ChunkHash.parse(EMPTY), ChunkHash.parse(ABC)),
                new int[] {32_768, 5_000, 2_232});
    }

    @Test
    void format2JsonHasAFixedFormAndRoundTrips() {
        Manifest m = variable();
        String json = "{\"format\":2,\"imageId\":\"vm1-rd-3\",\"imageSize\":40000,\"chunking\":\"gear-v1\","
                + "\"chunks\":[\"" + ABC + "\",\"" + EMPTY + "\",\"" + ABC + "\"],\"lengths\":[32768,5000,2232]}";
        assertEquals(json, m.toJson());
        Manifest back = Manifest.fromJson(json);
        assertEquals(m, back);
        assertEquals(2, back.format());
        assertEquals("gear-v1", back.chunking());
        assertEquals(List.of(32_768, 5_000, 2_232), List.of(back.chunkLength(0), back.chunkLength(1),
                back.chunkLength(2)));
        assertEquals(List.of(0L, 32_768L, 37_768L), List.of(back.chunkOffset(0), back.chunkOffset(1),
                back.chunkOffset(2)));
        // Format 2's chunkSize is the longest chunk: a bound for buffers, not a stride.
        assertEquals(32_768, back.chunkSize());
        assertEquals(2, back.distinctChunks().size());
        // The same chunks cut differently are a different manifest.
        assertNotEquals(m, new Manifest("vm1-rd-3", 40_000, "gear-v1",
                List.of(ChunkHash.parse(ABC), ChunkHash.parse(EMPTY), ChunkHash.parse(ABC)),
                new int[] {32_768, 5_001, 2_231}));
        Manifest empty = new Manifest("e", 0, "gear-v1", List.of(), new int[0]);
        assertEquals(empty, Manifest.fromJson(empty.toJson()));
        assertEquals(0, empty.chunkSize());
    }

    @Test
    void format1StillParsesAndKeepsItsStride() {
        Manifest m = Manifest.fromJson("{\"format\":1,\"imageId\":\"old\",\"imageSize\":9000,\"chunkSize\":4096,"
                + "\"chunks\":[\"" + ABC + "\",\"" + ABC + "\",\"" + EMPTY + "\"]}");
        assertEquals(1, m.format());
        assertEquals("fixed", m.chunking());
        assertEquals(4096, m.chunkSize());
        assertEquals(8192, m.chunkOffset(2));
        assertEquals(808, m.chunkLength(2));
        assertEquals(1, m.chunkIndexAt(8191));
        assertEquals(2, m.chunkIndexAt(8192));
        // A fixed manifest is written back in format 1, which older readers understand.
        assertTrue(m.toJson().startsWith("{\"format\":1,"));
    }

    @Test
    void chunkIndexAtFindsTheChunkAtEveryEdge() {
        Manifest m = variable();
        assertEquals(0, m.chunkIndexAt(0));
        assertEquals(0, m.chunkIndexAt(32_767));
        assertEquals(1, m.chunkIndexAt(32_768));
        assertEquals(1, m.chunkIndexAt(37_767));
        assertEquals(2, m.chunkIndexAt(37_768));
        assertEquals(2, m.chunkIndexAt(39_999));
        assertEquals("offset 40000 is outside image vm1-rd-3 (40000 bytes)",
                assertThrows(ReplayDeskException.class, () -> m.chunkIndexAt(40_000)).getMessage());
        assertEquals("offset -1 is outside image vm1-rd-3 (40000 bytes)",
                assertThrows(ReplayDeskException.class, () -> m.chunkIndexAt(-1)).getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> m.chunkOffset(3));
        assertThrows(IndexOutOfBoundsException.class, () -> m.chunkLength(-1));
        Manifest empty = new Manifest("e", 0, "gear-v1", List.of(), new int[0]);
        assertThrows(ReplayDeskException.class, () -> empty.chunkIndexAt(0));
    }

    @Test
    void inconsistentFormat2ManifestsAreRefusedNamingTheFieldAndIndex() {
        List<ChunkHash> two = List.of(ChunkHash.parse(ABC), ChunkHash.parse(EMPTY));
        assertEquals("image a: the chunk lengths sum to 300 bytes, but the image size is 301",
                assertThrows(ReplayDeskException.class,
                        () -> new Manifest("a", 301, "gear-v1", two, new int[] {100, 200})).getMessage());
        assertEquals("image a: chunk 1 has length 0, not 1 to 16777216", assertThrows(ReplayDeskException.class,
                () -> new Manifest("a", 100, "gear-v1", two, new int[] {100, 0})).getMessage());
        assertEquals("image a: chunk 0 has length 16777217, not 1 to 16777216",
                assertThrows(ReplayDeskException.class,
                        () -> new Manifest("a", 16777218, "gear-v1", two, new int[] {16777217, 1})).getMessage());
        assertEquals("image a: chunk 0 has length -5, not 1 to 16777216", assertThrows(ReplayDeskException.class,
                () -> new Manifest("a", 0, "gear-v1", two, new int[] {-5, 5})).getMessage());
        assertEquals("image a: 2 chunk hashes but 1 chunk lengths", assertThrows(ReplayDeskException.class,
                () -> new Manifest("a", 100, "gear-v1", two, new int[] {100})).getMessage());
        assertEquals("image a: negative size -1", assertThrows(ReplayDeskException.class,
                () -> new Manifest("a", -1, "gear-v1", List.of(), new int[0])).getMessage());
        assertEquals("image a: chunking 'Gear V1' is not 1-32 lower-case letters, digits, '.' and '-'",
                assertThrows(ReplayDeskException.class,
                        () -> new Manifest("a", 0, "Gear V1", List.of(), new int[0])).getMessage());
        assertThrows(ReplayDeskException.class, () -> new Manifest("../x", 0, "gear-v1", List.of(), new int[0]));
    }

    @Test
    void badFormat2JsonNamesTheField() {
        String head = "{\"format\":2,\"imageId\":\"a\",\"imageSize\":5,";
        assertEquals("manifest field 'chunking' is missing or not a string", assertThrows(ReplayDeskException.class,
                () -> Manifest.fromJson(head + "\"chunks\":[],\"lengths\":[]}")).getMessage());
        assertEquals("manifest field 'lengths' is missing or not an array", assertThrows(ReplayDeskException.class,
                () -> Manifest.fromJson(head + "\"chunking\":\"gear-v1\",\"chunks\":[\"" + ABC + "\"]}"))
                .getMessage());
        assertEquals("manifest field 'lengths' holds \"5\" at index 0, not an integer",
                assertThrows(ReplayDeskException.class, () -> Manifest.fromJson(head
                        + "\"chunking\":\"gear-v1\",\"chunks\":[\"" + ABC + "\"],\"lengths\":[\"5\"]}")).getMessage());
        assertEquals("manifest field 'lengths' holds 2.5 at index 1, not an integer",
                assertThrows(ReplayDeskException.class, () -> Manifest.fromJson(head + "\"chunking\":\"gear-v1\","
                        + "\"chunks\":[\"" + ABC + "\",\"" + ABC + "\"],\"lengths\":[2,2.5]}")).getMessage());
        assertEquals("manifest field 'lengths' holds 99999999999 at index 0, not an integer",
                assertThrows(ReplayDeskException.class, () -> Manifest.fromJson(head + "\"chunking\":\"gear-v1\","
                        + "\"chunks\":[\"" + ABC + "\"],\"lengths\":[99999999999]}")).getMessage());
        assertEquals("manifest field 'chunks' holds 7 at index 1, not a hex string",
                assertThrows(ReplayDeskException.class, () -> Manifest.fromJson(head + "\"chunking\":\"gear-v1\","
                        + "\"chunks\":[\"" + ABC + "\",7],\"lengths\":[2,3]}")).getMessage());
        assertEquals("manifest field 'chunks' at index 0: chunk hash 'xy' is not 64 hex digits",
                assertThrows(ReplayDeskException.class, () -> Manifest.fromJson(head + "\"chunking\":\"gear-v1\","
                        + "\"chunks\":[\"xy\"],\"lengths\":[5]}")).getMessage());
        assertEquals("image a: the chunk lengths sum to 4 bytes, but the image size is 5",
                assertThrows(ReplayDeskException.class, () -> Manifest.fromJson(head + "\"chunking\":\"gear-v1\","
                        + "\"chunks\":[\"" + ABC + "\"],\"lengths\":[4]}")).getMessage());
        assertEquals("image a: 1 chunk hashes but 2 chunk lengths",
                assertThrows(ReplayDeskException.class, () -> Manifest.fromJson(head + "\"chunking\":\"gear-v1\","
                        + "\"chunks\":[\"" + ABC + "\"],\"lengths\":[4,1]}")).getMessage());
        assertEquals("manifest format \"2\" is not 1 or 2", assertThrows(ReplayDeskException.class,
                () -> Manifest.fromJson("{\"format\":\"2\"}")).getMessage());
    }
}
