package org.replaydesk.qmp.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Byte-exact QMP lines captured from the installed QEMU, {@code qemu-system-x86_64} 7.2.22 (Debian package
 * {@code 1:7.2+dfsg-7+deb12u18+b3}), started as
 * {@code qemu-system-x86_64 -machine none -nodefaults -display none -qmp unix:q.sock,server=on,wait=off}
 * (plus {@code -drive file=e.qcow2,if=none,id=rr} and {@code -icount shift=auto,rr=record,rrfile=rr.bin} for the
 * snapshot and record lines). Shared by the framer, decoder and fake-server tests, like Guacamole's
 * {@code TEST_CASES}.
 *
 * <p>What QEMU does on the wire: every message is one JSON object on one line ending in {@code \r\n}; JSON is
 * written with {@code ": "} and {@code ", "} separators; members come in QEMU's own order (not ours: the
 * version is micro, minor, major; {@code id} is last in a success reply but first in an error reply); the
 * {@code id} of the request is echoed verbatim, and omitted when the request had none.
 */
public final class QmpGoldenVectors {

    private QmpGoldenVectors() {
    }

    /**
     * Greeting, sent by QEMU as soon as a client connects.
     * <ul>
     * <li>{@code QMP.version.qemu.micro = 22}, {@code .minor = 2}, {@code .major = 7}: QEMU 7.2.22</li>
     * <li>{@code QMP.version.package}: the distribution's package version (empty for upstream builds)</li>
     * <li>{@code QMP.capabilities = ["oob"]}: out-of-band execution is offered; the client does not enable it</li>
     * </ul>
     */
    public static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7},"
            + " \"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}\r\n";

    /** Reply to {@code qmp_capabilities} sent without an id: {@code return} = empty object, no {@code id}. */
    public static final String CAPABILITIES_REPLY_NO_ID = "{\"return\": {}}\r\n";

    /** Reply to {@code {"execute":"qmp_capabilities","id":1}}: {@code return} = {}, {@code id} = 1 (last member). */
    public static final String CAPABILITIES_REPLY_ID_1 = "{\"return\": {}, \"id\": 1}\r\n";

    /**
     * Reply to {@code query-status} with id 1.
     * <ul>
     * <li>{@code return.status = "running"}: RunState</li>
     * <li>{@code return.singlestep = false}: deprecated, ignored by the client</li>
     * <li>{@code return.running = true}: CPUs executing</li>
     * <li>{@code id = 1}: echoed request id</li>
     * </ul>
     */
    public static final String QUERY_STATUS_RUNNING =
            "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": 1}\r\n";

    /** Reply to {@code query-status} id 4 after {@code stop}: status "paused", running false. */
    public static final String QUERY_STATUS_PAUSED =
            "{\"return\": {\"status\": \"paused\", \"singlestep\": false, \"running\": false}, \"id\": 4}\r\n";

    /**
     * Reply to {@code query-status} sent without id after a failed {@code loadvm}: status "restore-vm",
     * running false, no {@code id} member.
     */
    public static final String QUERY_STATUS_RESTORE_VM_NO_ID =
            "{\"return\": {\"status\": \"restore-vm\", \"singlestep\": false, \"running\": false}}\r\n";

    /**
     * Reply to {@code query-status} whose request id was the object {@code {"a":[1,2]}}: QEMU echoes any JSON
     * value as id, re-serialised in its own spacing.
     */
    public static final String QUERY_STATUS_OBJECT_ID = "{\"return\": {\"status\": \"running\", \"singlestep\": false,"
            + " \"running\": true}, \"id\": {\"a\": [1, 2]}}\r\n";

    /**
     * Error reply to {@code {"execute":"nosuch","id":2}}.
     * <ul>
     * <li>{@code id = 2}: first member in error replies</li>
     * <li>{@code error.class = "CommandNotFound"}</li>
     * <li>{@code error.desc}: human-readable text</li>
     * </ul>
     */
    public static final String ERROR_COMMAND_NOT_FOUND = "{\"id\": 2, \"error\": {\"class\": \"CommandNotFound\","
            + " \"desc\": \"The command nosuch has not been found\"}}\r\n";

    /** Error reply to {@code query-status} with an unknown argument {@code x} (id 10): class GenericError. */
    public static final String ERROR_UNEXPECTED_PARAMETER = "{\"id\": 10, \"error\": {\"class\": \"GenericError\","
            + " \"desc\": \"Parameter 'x' is unexpected\"}}\r\n";

    /** Error reply without id: QEMU could not parse the request {@code garbage} at all. */
    public static final String ERROR_JSON_PARSE_NO_ID = "{\"error\": {\"class\": \"GenericError\","
            + " \"desc\": \"JSON parse error, invalid keyword 'garbage'\"}}\r\n";

    /**
     * Event after {@code stop}.
     * <ul>
     * <li>{@code timestamp.seconds = 1795314264}, {@code .microseconds = 259188}: host wall clock</li>
     * <li>{@code event = "STOP"}; no {@code data} member</li>
     * </ul>
     */
    public static final String EVENT_STOP =
            "{\"timestamp\": {\"seconds\": 1795314264, \"microseconds\": 259188}, \"event\": \"STOP\"}\r\n";

    /** Reply to {@code stop} (id 3), written right after {@link #EVENT_STOP} in the same read. */
    public static final String STOP_REPLY_ID_3 = "{\"return\": {}, \"id\": 3}\r\n";

    /** Event after {@code cont}: RESUME at 1795314268.264959, no data. */
    public static final String EVENT_RESUME =
            "{\"timestamp\": {\"seconds\": 1795314268, \"microseconds\": 264959}, \"event\": \"RESUME\"}\r\n";

    /**
     * Event after {@code quit}, sent before the reply.
     * <ul>
     * <li>{@code timestamp}: 1795314313 s + 959817 µs</li>
     * <li>{@code event = "SHUTDOWN"}</li>
     * <li>{@code data.guest = false}: the host asked, not the guest</li>
     * <li>{@code data.reason = "host-qmp-quit"}</li>
     * </ul>
     */
    public static final String EVENT_SHUTDOWN = "{\"timestamp\": {\"seconds\": 1795314313, \"microseconds\": 959817},"
            + " \"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}\r\n";

    /** Reply to {@code quit} (id 99); QEMU then closes the socket. */
    public static final String QUIT_REPLY_ID_99 = "{\"return\": {}, \"id\": 99}\r\n";

    /** Reply to {@code query-replay} (id 6) without {@code -icount}: icount 0, mode "none", no filename. */
    public static final String QUERY_REPLAY_NONE = "{\"return\": {\"icount\": 0, \"mode\": \"none\"}, \"id\": 6}\r\n";

    /** Reply to {@code query-replay} (id 1) while recording: icount, mode "record", filename of the log. */
    public static final String QUERY_REPLAY_RECORD = "{\"return\": {\"icount\": 0, \"mode\": \"record\","
            + " \"filename\": \"/tmp/qcap/rr.bin\"}, \"id\": 1}\r\n";

    /** Reply to {@code human-monitor-command "savevm s1"} (id 8) that succeeded: return = empty string. */
    public static final String HMP_EMPTY_ID_8 = "{\"return\": \"\", \"id\": 8}\r\n";

    /** HMP {@code savevm} without a qcow2 disk: the error is text in {@code return}, not a QMP error. */
    public static final String HMP_SAVEVM_NO_DISK_ID_8 =
            "{\"return\": \"Error: no block device can store vmstate for snapshot\\r\\n\", \"id\": 8}\r\n";

    /** HMP {@code loadvm nosuch}: text error; QEMU has already stopped the VM (STOP event came first). */
    public static final String HMP_LOADVM_MISSING_ID_9 =
            "{\"return\": \"Error: Snapshot 'nosuch' does not exist in one or more devices\\r\\n\", \"id\": 9}\r\n";

    /** HMP {@code info snapshots} with no snapshot. */
    public static final String HMP_NO_SNAPSHOTS_ID_7 = "{\"return\": \"There is no snapshot available.\\r\\n\", \"id\": 7}\r\n";

    /**
     * HMP {@code info snapshots} on a recording VM: header line, then per snapshot ID ("--" = present on all
     * disks), TAG, VM SIZE, DATE, VM CLOCK, ICOUNT (filled only with {@code -icount}).
     */
    public static final String HMP_SNAPSHOTS_RECORD_ID_7 = "{\"return\": \"List of snapshots present on all disks:\\r\\n"
            + "ID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT\\r\\n"
            + "--        s1               2.24 KiB 2026-11-22 02:25:27 00:00:00.100          0\\r\\n\", \"id\": 7}\r\n";

    /** HMP {@code info snapshots} without {@code -icount}: the ICOUNT column is blank (trailing spaces). */
    public static final String HMP_SNAPSHOTS_PLAIN_ID_7 = "{\"return\": \"List of snapshots present on all disks:\\r\\n"
            + "ID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT\\r\\n"
            + "--        s1                  765 B 2026-11-22 02:25:03 00:00:02.022           \\r\\n"
            + "--        s2                  765 B 2026-11-22 02:25:04 00:00:03.024           \\r\\n\", \"id\": 7}\r\n";

    /**
     * QEMU 7.2's refusal of {@code savevm} while record/replay events are queued ({@code replay_can_snapshot()}),
     * as HMP prints it; not captured (it needs a busy recording guest) but spelled as in QEMU's source.
     */
    public static final String HMP_SAVEVM_REFUSED_TEXT =
            "Error: Record/replay does not allow making snapshot right now. Try once more later.\r\n";

    /** What the client writes to leave capabilities negotiation: request id 1, no line end. */
    public static final String REQUEST_CAPABILITIES = "{\"execute\":\"qmp_capabilities\",\"id\":1}";

    /** The server-to-client stream of a real session, in order, as one list of lines. */
    public static final List<String> SESSION = List.of(GREETING, CAPABILITIES_REPLY_NO_ID, QUERY_STATUS_RUNNING,
            ERROR_COMMAND_NOT_FOUND, EVENT_STOP, STOP_REPLY_ID_3, QUERY_STATUS_PAUSED, EVENT_RESUME,
            QUERY_REPLAY_NONE, HMP_SAVEVM_NO_DISK_ID_8, ERROR_UNEXPECTED_PARAMETER, QUERY_STATUS_OBJECT_ID,
            ERROR_JSON_PARSE_NO_ID, HMP_LOADVM_MISSING_ID_9, QUERY_STATUS_RESTORE_VM_NO_ID, HMP_SNAPSHOTS_RECORD_ID_7,
            HMP_SNAPSHOTS_PLAIN_ID_7, EVENT_SHUTDOWN, QUIT_REPLY_ID_99);

    /**
     * @param lines wire lines
     * @return their UTF-8 bytes, concatenated
     */
    public static byte[] bytes(List<String> lines) {
        return String.join("", lines).getBytes(StandardCharsets.UTF_8);
    }
}
