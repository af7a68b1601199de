package org.replaydesk.qmp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.replaydesk.qmp.QmpErrorException;
import org.replaydesk.qmp.QmpEvent;
import org.replaydesk.qmp.QmpException;
import org.replaydesk.qmp.QmpGreeting;
import org.replaydesk.qmp.QmpStatus;
import org.replaydesk.qmp.ReplayInfo;
import org.replaydesk.qmp.SnapshotInfo;

/**
 * Maps between QMP wire JSON and the API types. Stateless; the encoder and decoders are kept apart from the
 * connection so that the golden-vector tests can check them byte for byte without a socket.
 */
public final class QmpCodec {

    /** Shared mapper; {@code FAIL_ON_TRAILING_TOKENS} so that {@code {"a":1} junk} on one line is rejected. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Pattern SNAPSHOT_LINE = Pattern.compile(
            "^(\\S+)\\s+(\\S+)\\s+(\\d+(?:\\.\\d+)?\\s+\\S+)\\s+(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2})"
                    + "\\s+(\\d+):(\\d{2}):(\\d{2})\\.(\\d{3})\\s*(\\d*)\\s*$");
    private static final DateTimeFormatter SNAPSHOT_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private QmpCodec() {
    }

    /**
     * Encodes one request: {@code {"execute":...,"arguments":...,"id":N}} with no line end after it.
     *
     * <p>QEMU's parser is a JSON stream and acts on the closing brace. It also reads its socket one byte at a
     * time and stops reading while a command runs, so a trailing {@code "\n"} after {@code quit} is still
     * unread when QEMU exits, and the kernel then reports the close as a connection reset instead of an
     * end of stream. Sending no separator keeps QEMU's exit an orderly EOF.
     *
     * @param command QMP command name
     * @param arguments arguments, or {@code null} to omit the member
     * @param id request id that QEMU echoes in the reply
     * @return UTF-8 bytes to write
     */
    public static byte[] encodeRequest(String command, ObjectNode arguments, long id) {
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        request.put("id", id);
        try {
            return MAPPER.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new QmpException("cannot encode arguments of QMP command '" + command + "'", e);
        }
    }

    /**
     * @param message {@code {"QMP": {"version": {...}, "capabilities": [...]}}}
     * @return the greeting
     */
    public static QmpGreeting decodeGreeting(JsonNode message) {
        JsonNode qmp = message.path("QMP");
        JsonNode version = qmp.path("version");
        JsonNode qemu = version.path("qemu");
        if (!qemu.path("major").isIntegralNumber() || !qemu.path("minor").isIntegralNumber()) {
            throw new QmpException("QMP greeting without a QEMU version: " + abbreviate(message));
        }
        List<String> capabilities = new ArrayList<>();
        qmp.path("capabilities").forEach(c -> capabilities.add(c.asText()));
        return new QmpGreeting(qemu.path("major").asInt(), qemu.path("minor").asInt(), qemu.path("micro").asInt(),
                version.path("package").asText(""), capabilities);
    }

    /**
     * @param message {@code {"timestamp": {"seconds": S, "microseconds": U}, "event": NAME, "data": {...}}}
     * @return the event; a missing {@code data} becomes an empty object, a missing timestamp the epoch
     */
    public static QmpEvent decodeEvent(JsonNode message) {
        JsonNode timestamp = message.path("timestamp");
        Instant at = Instant.ofEpochSecond(timestamp.path("seconds").asLong(0),
                timestamp.path("microseconds").asLong(0) * 1000L);
        JsonNode data = message.get("data");
        return new QmpEvent(message.path("event").asText(), data == null ? JsonNodeFactory.instance.objectNode() : data,
                at);
    }

    /**
     * @param command the command the reply answers, for the exception message
     * @param message {@code {"error": {"class": C, "desc": D}, "id": N}}
     * @return the exception to throw
     */
    public static QmpErrorException decodeError(String command, JsonNode message) {
        JsonNode error = message.path("error");
        return new QmpErrorException(command, error.path("class").asText("GenericError"),
                error.path("desc").asText(""));
    }

    /**
     * @param reply {@code return} of {@code query-status}: {@code {"status": S, "singlestep": B, "running": B}}
     * @return the status
     */
    public static QmpStatus decodeStatus(JsonNode reply) {
        return new QmpStatus(require(reply, "status", "query-status").asText(),
                require(reply, "running", "query-status").asBoolean());
    }

    /**
     * @param reply {@code return} of {@code query-replay}: {@code {"icount": N, "mode": M, "filename": F}}
     * @return the replay state
     */
    public static ReplayInfo decodeReplay(JsonNode reply) {
        JsonNode filename = reply.get("filename");
        return new ReplayInfo(require(reply, "mode", "query-replay").asText(),
                filename == null || filename.isNull() ? null : filename.asText(),
                reply.path("icount").asLong(0));
    }

    /**
     * Parses HMP {@code info snapshots}. QEMU prints a header and one fixed-column line per snapshot, or a single
     * sentence when there are none ("There is no snapshot available.") or no disk can hold them.
     *
     * @param text HMP output with {@code \r\n} line ends
     * @return snapshots in QEMU's order
     */
    public static List<SnapshotInfo> parseSnapshots(String text) {
        List<SnapshotInfo> snapshots = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            Matcher m = SNAPSHOT_LINE.matcher(line);
            if (!m.matches()) {
                continue; // header, separator or "no snapshot" sentence
            }
            Duration vmClock = Duration.ofHours(Long.parseLong(m.group(5)))
                    .plusMinutes(Long.parseLong(m.group(6)))
                    .plusSeconds(Long.parseLong(m.group(7)))
                    .plusMillis(Long.parseLong(m.group(8)));
            String icount = m.group(9);
            snapshots.add(new SnapshotInfo(m.group(1), m.group(2), m.group(3),
                    LocalDateTime.parse(m.group(4), SNAPSHOT_DATE), vmClock,
                    icount.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(icount))));
        }
        return snapshots;
    }

    /**
     * @param message any message
     * @return its start as text, short enough for a log line
     */
    public static String abbreviate(JsonNode message) {
        String text = message.toString();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static JsonNode require(JsonNode reply, String member, String command) {
        JsonNode value = reply.get(member);
        if (value == null || value.isNull()) {
            throw new QmpException("reply to " + command + " lacks '" + member + "': " + abbreviate(reply));
        }
        return value;
    }
}
