package org.replaydesk.qmp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.replaydesk.qmp.InputEvent;
import org.replaydesk.qmp.QmpErrorException;
import org.replaydesk.qmp.QmpEvent;
import org.replaydesk.qmp.QmpException;
import org.replaydesk.qmp.QmpGreeting;
import org.replaydesk.qmp.QmpStatus;
import org.replaydesk.qmp.ReplayInfo;
import org.replaydesk.qmp.SnapshotInfo;

/** Golden vectors decoded into API objects, and the exact request bytes the client writes. */
class QmpCodecTest {

    private static JsonNode json(String line) throws Exception {
        return QmpCodec.MAPPER.readTree(line);
    }

    private static String request(String command, ObjectNode arguments, long id) {
        return new String(QmpCodec.encodeRequest(command, arguments, id), StandardCharsets.UTF_8);
    }

    @Test
    void greetingDecodes() throws Exception {
        QmpGreeting greeting = QmpCodec.decodeGreeting(json(QmpGoldenVectors.GREETING));
        assertEquals(new QmpGreeting(7, 2, 22, "Debian 1:7.2+dfsg-7+deb12u18+b3", List.of("oob")), greeting);
        assertEquals("7.2.22", greeting.version());
        assertTrue(greeting.isVersion(7, 2));
    }

    @Test
    void greetingWithoutVersionIsRejected() throws Exception {
        assertThrows(QmpException.class, () -> QmpCodec.decodeGreeting(json("{\"QMP\": {\"capabilities\": []}}")));
    }

    @Test
    void eventWithoutDataDecodesToEmptyObject() throws Exception {
        QmpEvent stop = QmpCodec.decodeEvent(json(QmpGoldenVectors.EVENT_STOP));
        assertEquals("STOP", stop.name());
        assertEquals(JsonNodeFactory.instance.objectNode(), stop.data());
        // seconds + microseconds -> Instant with microsecond precision
        assertEquals(Instant.ofEpochSecond(1795314264L, 259_188_000L), stop.timestamp());
    }

    @Test
    void eventWithDataDecodes() throws Exception {
        QmpEvent shutdown = QmpCodec.decodeEvent(json(QmpGoldenVectors.EVENT_SHUTDOWN));
        assertEquals("SHUTDOWN", shutdown.name());
        assertFalse(shutdown.data().get("guest").asBoolean());
        assertEquals("host-qmp-quit", shutdown.data().get("reason").asText());
        assertEquals(Instant.parse("2026-11-22T02:25:13.959817Z"), shutdown.timestamp());
    }

    @Test
    void errorReplyDecodes() throws Exception {
        QmpErrorException e = QmpCodec.decodeError("nosuch", json(QmpGoldenVectors.ERROR_COMMAND_NOT_FOUND));
        assertEquals("nosuch", e.command());
        assertEquals("CommandNotFound", e.errorClass());
        assertEquals("The command nosuch has not been found", e.description());
        assertEquals("QMP command 'nosuch' failed: CommandNotFound: The command nosuch has not been found",
                e.getMessage());
    }

    @Test
    void statusDecodes() throws Exception {
        assertEquals(new QmpStatus("running", true),
                QmpCodec.decodeStatus(json(QmpGoldenVectors.QUERY_STATUS_RUNNING).get("return")));
        assertEquals(new QmpStatus("paused", false),
                QmpCodec.decodeStatus(json(QmpGoldenVectors.QUERY_STATUS_PAUSED).get("return")));
        assertEquals(new QmpStatus("restore-vm", false),
                QmpCodec.decodeStatus(json(QmpGoldenVectors.QUERY_STATUS_RESTORE_VM_NO_ID).get("return")));
        assertThrows(QmpException.class, () -> QmpCodec.decodeStatus(json("{\"running\": true}")));
    }

    @Test
    void replayInfoDecodes() throws Exception {
        ReplayInfo none = QmpCodec.decodeReplay(json(QmpGoldenVectors.QUERY_REPLAY_NONE).get("return"));
        assertEquals(new ReplayInfo("none", null, 0), none);
        assertFalse(none.isRecording());
        ReplayInfo record = QmpCodec.decodeReplay(json(QmpGoldenVectors.QUERY_REPLAY_RECORD).get("return"));
        assertEquals(new ReplayInfo("record", "/tmp/qcap/rr.bin", 0), record);
        assertTrue(record.isRecording());
        // icount beyond 2^31: replays run for billions of instructions
        assertEquals(13_790_000_000L, QmpCodec.decodeReplay(
                json("{\"icount\": 13790000000, \"mode\": \"play\", \"filename\": \"log.bin\"}")).icount());
    }

    @Test
    void snapshotListDecodes() throws Exception {
        String recorded = json(QmpGoldenVectors.HMP_SNAPSHOTS_RECORD_ID_7).get("return").asText();
        assertEquals(List.of(new SnapshotInfo("--", "s1", "2.24 KiB", LocalDateTime.parse("2026-11-22T02:25:27"),
                Duration.ofMillis(100), OptionalLong.of(0))), QmpCodec.parseSnapshots(recorded));

        String plain = json(QmpGoldenVectors.HMP_SNAPSHOTS_PLAIN_ID_7).get("return").asText();
        List<SnapshotInfo> snapshots = QmpCodec.parseSnapshots(plain);
        assertEquals(2, snapshots.size());
        assertEquals(new SnapshotInfo("--", "s2", "765 B", LocalDateTime.parse("2026-11-22T02:25:04"),
                Duration.ofMillis(3024), OptionalLong.empty()), snapshots.get(1));

        assertEquals(List.of(), QmpCodec.parseSnapshots(
                json(QmpGoldenVectors.HMP_NO_SNAPSHOTS_ID_7).get("return").asText()));
        assertEquals(List.of(), QmpCodec.parseSnapshots("no block device can store vmstate for snapshot\r\n"));
    }

    @Test
    void snapshotListParsesLongVmClockAndIcount() {
        String text = "ID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT\r\n"
                + "2         boot              81.3 MiB 2025-01-02 03:04:05 123:04:05.678  13790000000\r\n";
        SnapshotInfo info = QmpCodec.parseSnapshots(text).get(0);
        assertEquals("2", info.id());
        assertEquals("81.3 MiB", info.vmStateSize());
        assertEquals(Duration.ofHours(123).plusMinutes(4).plusSeconds(5).plusMillis(678), info.vmClock());
        assertEquals(OptionalLong.of(13_790_000_000L), info.icount());
    }

    // ---- golden request bytes: what goes on the wire, byte for byte (no line end, see encodeRequest) ----

    @Test
    void requestWithoutArguments() {
        assertEquals(QmpGoldenVectors.REQUEST_CAPABILITIES, request("qmp_capabilities", null, 1));
        // "execute" = command name, "id" = per-request number that QEMU echoes
        assertEquals("{\"execute\":\"query-status\",\"id\":2}", request("query-status", null, 2));
    }

    @Test
    void requestWithArguments() {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("command-line", "savevm s1");
        // "arguments" sits between "execute" and "id"
        assertEquals("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"savevm s1\"},\"id\":8}",
                request("human-monitor-command", arguments, 8));
        assertEquals("{\"execute\":\"replay-break\",\"arguments\":{\"icount\":13790000000},\"id\":9}",
                request("replay-break", JsonNodeFactory.instance.objectNode().put("icount", 13_790_000_000L), 9));
    }

    @Test
    void requestEscapesStringsAndKeepsUtf8() {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("command-line", "a\"b\\c\nd é");
        byte[] bytes = QmpCodec.encodeRequest("human-monitor-command", arguments, 3);
        assertEquals("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"a\\\"b\\\\c\\nd é\"},\"id\":3}",
                new String(bytes, StandardCharsets.UTF_8));
        for (byte b : bytes) {
            assertTrue(b != '\n', "no raw line feed: QEMU would see it as whitespace, but transcripts would break");
        }
    }

    @Test
    void inputEventsEncodeAsQapiInputEvent() {
        assertEquals("{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}}",
                InputEvent.key("a", true).toString());
        assertEquals("{\"type\":\"btn\",\"data\":{\"down\":false,\"button\":\"left\"}}",
                InputEvent.button("left", false).toString());
        assertEquals("{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":32767}}",
                InputEvent.absMove("x", InputEvent.ABS_MAX).toString());
        assertEquals("{\"type\":\"rel\",\"data\":{\"axis\":\"y\",\"value\":-5}}",
                InputEvent.relMove("y", -5).toString());
        assertThrows(IllegalArgumentException.class, () -> InputEvent.absMove("z", 1));
        assertThrows(IllegalArgumentException.class, () -> InputEvent.absMove("x", 0x8000));
        assertThrows(IllegalArgumentException.class, () -> InputEvent.key(" ", true));
        assertEquals(InputEvent.key("ret", false), InputEvent.key("ret", false));
        InputEvent event = InputEvent.key("a", true);
        event.toJson().put("type", "changed");
        assertEquals("key", event.toJson().get("type").asText(), "toJson hands out copies");
    }

    @Test
    void replayInfoWithNullFilenameMember() throws Exception {
        assertNull(QmpCodec.decodeReplay(json("{\"icount\": 1, \"mode\": \"none\", \"filename\": null}")).filename());
    }
}
