package org.replaydesk.qmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.replaydesk.qmp.QmpException;

/** Framing of the QEMU byte stream: fragmentation, batching, UTF-8 splits, and rejection of bad input. */
class QmpMessageReaderTest {

    private static final byte[] SESSION = QmpGoldenVectors.bytes(QmpGoldenVectors.SESSION);

    private static List<JsonNode> expectedSession() throws Exception {
        List<JsonNode> expected = new ArrayList<>();
        for (String line : QmpGoldenVectors.SESSION) {
            expected.add(QmpCodec.MAPPER.readTree(line));
        }
        return expected;
    }

    private static List<ObjectNode> feedInChunks(QmpMessageReader reader, byte[] bytes, int chunkSize) {
        List<ObjectNode> messages = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += chunkSize) {
            messages.addAll(reader.feed(bytes, i, Math.min(chunkSize, bytes.length - i)));
        }
        return messages;
    }

    @Test
    void wholeSessionInOneChunkYieldsEveryMessageInOrder() throws Exception {
        QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER);
        assertEquals(expectedSession(), reader.feed(ByteBuffer.wrap(SESSION)));
        assertEquals(0, reader.pendingBytes());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 16, 100, 4096})
    void anyChunkSizeYieldsTheSameMessages(int chunkSize) throws Exception {
        assertEquals(expectedSession(), feedInChunks(new QmpMessageReader(QmpCodec.MAPPER), SESSION, chunkSize));
    }

    @Test
    void everySingleSplitPointYieldsTheSameMessages() throws Exception {
        byte[] twoLines = QmpGoldenVectors.bytes(List.of(QmpGoldenVectors.EVENT_SHUTDOWN,
                QmpGoldenVectors.QUIT_REPLY_ID_99));
        List<JsonNode> expected = List.of(QmpCodec.MAPPER.readTree(QmpGoldenVectors.EVENT_SHUTDOWN),
                QmpCodec.MAPPER.readTree(QmpGoldenVectors.QUIT_REPLY_ID_99));
        for (int split = 0; split <= twoLines.length; split++) {
            QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER);
            List<ObjectNode> got = new ArrayList<>(reader.feed(twoLines, 0, split));
            got.addAll(reader.feed(twoLines, split, twoLines.length - split));
            assertEquals(expected, got, "split at byte " + split);
        }
    }

    @Test
    void utf8SequenceSplitAcrossChunksIsDecodedIntact() {
        // 2-, 3- and 4-byte sequences; QEMU itself escapes non-ASCII, but a guest-supplied string must not break us
        String text = "Grüße ✓ 😀";
        byte[] line = ("{\"return\": \"" + text + "\", \"id\": 5}\r\n").getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= line.length; split++) {
            QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER);
            List<ObjectNode> got = new ArrayList<>(reader.feed(line, 0, split));
            got.addAll(reader.feed(line, split, line.length - split));
            assertEquals(1, got.size());
            assertEquals(text, got.get(0).get("return").asText(), "split at byte " + split);
        }
    }

    @Test
    void bareLineFeedsAndBlankLinesAreAccepted() {
        QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER);
        byte[] bytes = "\r\n{\"return\": {}, \"id\": 1}\n\n  \r\n{\"return\": 2, \"id\": 2}\n".getBytes(StandardCharsets.UTF_8);
        List<ObjectNode> got = reader.feed(bytes, 0, bytes.length);
        assertEquals(2, got.size());
        assertEquals(2, got.get(1).get("return").asInt());
    }

    @Test
    void incompleteMessageIsHeldBack() {
        QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER);
        byte[] bytes = QmpGoldenVectors.GREETING.getBytes(StandardCharsets.UTF_8);
        assertTrue(reader.feed(bytes, 0, bytes.length - 1).isEmpty(), "no message before the line feed");
        assertEquals(bytes.length - 1, reader.pendingBytes());
        assertEquals(1, reader.feed(bytes, bytes.length - 1, 1).size());
    }

    @Test
    void oversizedMessageWithoutLineEndIsRejected() {
        QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER, 64);
        byte[] chunk = new byte[40];
        Arrays.fill(chunk, (byte) 'a');
        assertTrue(reader.feed(chunk, 0, chunk.length).isEmpty());
        QmpException e = assertThrows(QmpException.class, () -> reader.feed(chunk, 0, chunk.length));
        assertTrue(e.getMessage().contains("exceeds 64 bytes"), e.getMessage());
    }

    @Test
    void oversizedCompleteLineIsRejected() {
        QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER, 64);
        byte[] line = ("{\"return\": \"" + "x".repeat(100) + "\"}\r\n").getBytes(StandardCharsets.UTF_8);
        QmpException e = assertThrows(QmpException.class, () -> reader.feed(line, 0, line.length));
        assertTrue(e.getMessage().contains("exceeds 64 bytes"), e.getMessage());
    }

    @Test
    void defaultLimitIsSixteenMebibytes() {
        QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER);
        byte[] mebibyte = new byte[1024 * 1024];
        Arrays.fill(mebibyte, (byte) 'a');
        for (int i = 0; i < 16; i++) {
            assertTrue(reader.feed(mebibyte, 0, mebibyte.length).isEmpty(), "16 MiB exactly is still allowed");
        }
        QmpException e = assertThrows(QmpException.class, () -> reader.feed(mebibyte, 0, 1));
        assertTrue(e.getMessage().contains("exceeds 16777216 bytes"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage\r\n", "{\"return\": {}\r\n", "{\"return\": {}} trailing\r\n", "{\"a\":1}{\"b\":2}\r\n",
            "{\"return\": \"\u0001\"}\r\n"})
    void malformedJsonIsRejectedNamingTheProblem(String line) {
        QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER);
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        QmpException e = assertThrows(QmpException.class, () -> reader.feed(bytes, 0, bytes.length));
        assertTrue(e.getMessage().startsWith("malformed JSON from QEMU"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1, 2]\r\n", "42\r\n", "\"text\"\r\n", "null\r\n"})
    void nonObjectIsRejected(String line) {
        QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER);
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        QmpException e = assertThrows(QmpException.class, () -> reader.feed(bytes, 0, bytes.length));
        assertTrue(e.getMessage().startsWith("QMP message is not a JSON object"), e.getMessage());
    }

    @Test
    void readerStaysFailedAfterAnError() {
        QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER);
        byte[] bad = "garbage\r\n".getBytes(StandardCharsets.UTF_8);
        QmpException first = assertThrows(QmpException.class, () -> reader.feed(bad, 0, bad.length));
        byte[] good = QmpGoldenVectors.GREETING.getBytes(StandardCharsets.UTF_8);
        assertSame(first, assertThrows(QmpException.class, () -> reader.feed(good, 0, good.length)));
    }

    @Test
    void messagesBeforeABadLineInTheSameChunkAreStillDelivered() {
        // A reply just before garbage must reach its caller; only then does the connection fail.
        QmpMessageReader reader = new QmpMessageReader(QmpCodec.MAPPER);
        byte[] bytes = (QmpGoldenVectors.EVENT_STOP + "garbage\r\n" + QmpGoldenVectors.EVENT_RESUME)
                .getBytes(StandardCharsets.UTF_8);
        List<ObjectNode> delivered = new ArrayList<>();
        assertThrows(QmpException.class, () -> reader.feed(bytes, 0, bytes.length, delivered::add));
        assertEquals(1, delivered.size());
        assertEquals("STOP", delivered.get(0).get("event").asText());
    }
}
