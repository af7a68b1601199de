package org.replaydesk.snapshot;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.VmName;

/**
 * What a client needs to replay a VM: the recorder's machine and its kept snapshots, oldest first. The snapshotter
 * stores it in the chunk store as the image {@link #imageId(VmName) VM.snapshots}, so a client reads it through the
 * chunk protocol it already speaks (it is small: one chunk). Immutable.
 *
 * <p>JSON form ({@link #toJson()}, {@link #fromJson(byte[])}), one object:
 * <pre>{"format":1,"vm":"desk1","recorder":{"memoryMb":256,"workload":"anim","network":false},
 *  "snapshots":[{"tag":"rd-1","trigger":"BOOT","takenAt":"2026-11-22T08:00:00Z","icount":13790000000,
 *   "logOffset":15000000,"stallMillis":210,"imageId":"desk1-rd-1","imageBytes":90000000,
 *   "backing":{"imageId":"base-9f86d081884c7d65","format":"raw"}}]}</pre>
 * {@code backing} is absent for a self-contained image.
 *
 * @param vm the recording VM
 * @param recorder what a replayer copies from the recorder's definition
 * @param snapshots kept snapshots, oldest first
 */
public record SnapshotCatalog(VmName vm, RecorderSpec recorder, List<SnapshotInfo> snapshots) {

    /** Version of the JSON form; a reader refuses others so a future change cannot be misread silently. */
    public static final int FORMAT = 1;

    /**
     * The format of a catalog that lists a snapshot with a memory image ({@link SnapshotInfo#memoryImageId()}): a
     * client that knows only format 1 would load such a snapshot without its RAM, so it must refuse the catalog.
     */
    public static final int FORMAT_WITH_MEMORY = 2;

    /** Largest catalog accepted from the network (a catalog lists a handful of snapshots). */
    public static final int MAX_BYTES = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    public SnapshotCatalog {
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(recorder, "recorder");
        snapshots = Collections.unmodifiableList(new ArrayList<>(snapshots));
        for (SnapshotInfo s : snapshots) {
            if (!s.vm().equals(vm)) {
                throw ReplayDeskException.invalid("catalog of " + vm + " lists snapshot " + s.tag() + " of " + s.vm());
            }
        }
    }

    /**
     * @param vm a VM
     * @return the chunk-store id of its catalog
     */
    public static String imageId(VmName vm) {
        return vm.value() + ".snapshots";
    }

    /** @return the newest snapshot */
    public Optional<SnapshotInfo> newest() {
        return snapshots.isEmpty() ? Optional.empty() : Optional.of(snapshots.get(snapshots.size() - 1));
    }

    /**
     * @param tag a tag
     * @return the snapshot with that tag
     */
    public Optional<SnapshotInfo> find(SnapshotTag tag) {
        return snapshots.stream().filter(s -> s.tag().equals(tag)).findFirst();
    }

    /** @return the JSON form, UTF-8 */
    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", snapshots.stream().anyMatch(s -> s.memoryImageId().isPresent()) ? FORMAT_WITH_MEMORY
                : FORMAT);
        root.put("vm", vm.value());
        ObjectNode rec = root.putObject("recorder");
        rec.put("memoryMb", recorder.memoryMb());
        rec.put("workload", recorder.workload());
        rec.put("network", recorder.network());
        ArrayNode list = root.putArray("snapshots");
        for (SnapshotInfo s : snapshots) {
            ObjectNode n = list.addObject();
            n.put("tag", s.tag().value());
            n.put("trigger", s.trigger().name());
            n.put("takenAt", s.takenAt().toString());
            n.put("icount", s.icount());
            n.put("logOffset", s.logOffset());
            n.put("stallMillis", s.stall().toMillis());
            n.put("imageId", s.imageId());
            n.put("imageBytes", s.imageBytes());
            s.memoryImageId().ifPresent(m -> n.put("memoryImageId", m));
            s.backing().ifPresent(b -> {
                ObjectNode bn = n.putObject("backing");
                bn.put("imageId", b.imageId());
                bn.put("format", b.format());
            });
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param json the JSON form, UTF-8 (at most {@link #MAX_BYTES})
     * @return the catalog
     * @throws ReplayDeskException (INVALID_ARGUMENT) naming the field that is missing or wrong
     */
    public static SnapshotCatalog fromJson(byte[] json) {
        if (json.length > MAX_BYTES) {
            throw ReplayDeskException.invalid("snapshot catalog of " + json.length + " bytes is larger than "
                    + MAX_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (java.io.IOException e) {
            String why = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw ReplayDeskException.invalid("snapshot catalog is not JSON: " + why);
        }
        if (root == null || !root.isObject()) {
            throw ReplayDeskException.invalid("snapshot catalog is not a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isInt() || (format.intValue() != FORMAT && format.intValue() != FORMAT_WITH_MEMORY)) {
            throw ReplayDeskException.invalid("snapshot catalog format " + format + " is not " + FORMAT + " or "
                    + FORMAT_WITH_MEMORY + " (a newer snapshotter wrote it: upgrade this client)");
        }
        VmName vm = VmName.of(text(root, "vm", "catalog"));
        JsonNode rec = root.get("recorder");
        if (rec == null || !rec.isObject()) {
            throw ReplayDeskException.invalid("snapshot catalog field 'recorder' is missing or not an object");
        }
        JsonNode network = rec.get("network");
        if (network == null || !network.isBoolean()) {
            throw ReplayDeskException.invalid("snapshot catalog field 'recorder.network' is missing or not a boolean");
        }
        long memory = number(rec, "memoryMb", "recorder");
        RecorderSpec recorder = new RecorderSpec((int) Math.min(memory, Integer.MAX_VALUE),
                text(rec, "workload", "recorder"), network.booleanValue());
        JsonNode list = root.get("snapshots");
        if (list == null || !list.isArray()) {
            throw ReplayDeskException.invalid("snapshot catalog field 'snapshots' is missing or not an array");
        }
        List<SnapshotInfo> snapshots = new ArrayList<>(list.size());
        for (JsonNode n : list) {
            if (!n.isObject()) {
                throw ReplayDeskException.invalid("snapshot catalog field 'snapshots' holds " + n + ", not an object");
            }
            String where = "snapshots[" + snapshots.size() + "]";
            SnapshotTrigger trigger;
            String triggerText = text(n, "trigger", where);
            try {
                trigger = SnapshotTrigger.valueOf(triggerText);
            } catch (IllegalArgumentException e) {
                throw ReplayDeskException.invalid("snapshot catalog field '" + where + ".trigger' is '" + triggerText
                        + "', not one of BOOT, REQUEST, JOIN, PERIODIC");
            }
            Instant takenAt;
            try {
                takenAt = Instant.parse(text(n, "takenAt", where));
            } catch (DateTimeParseException e) {
                throw ReplayDeskException.invalid("snapshot catalog field '" + where + ".takenAt' is not an ISO-8601 instant");
            }
            Optional<BackingImage> backing = Optional.empty();
            JsonNode b = n.get("backing");
            if (b != null && !b.isNull()) {
                if (!b.isObject()) {
                    throw ReplayDeskException.invalid("snapshot catalog field '" + where + ".backing' is not an object");
                }
                backing = Optional.of(new BackingImage(text(b, "imageId", where + ".backing"),
                        text(b, "format", where + ".backing")));
            }
            snapshots.add(new SnapshotInfo(vm, SnapshotTag.of(text(n, "tag", where)), trigger, takenAt,
                    number(n, "icount", where), number(n, "logOffset", where),
                    Duration.ofMillis(number(n, "stallMillis", where)), text(n, "imageId", where),
                    number(n, "imageBytes", where), backing,
                    n.hasNonNull("memoryImageId") ? Optional.of(text(n, "memoryImageId", where)) : Optional.empty()));
        }
        return new SnapshotCatalog(vm, recorder, snapshots);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw ReplayDeskException.invalid("snapshot catalog field '" + where + "." + field
                    + "' is missing or not a string");
        }
        return v.textValue();
    }

    private static long number(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.longValue() < 0) {
            throw ReplayDeskException.invalid("snapshot catalog field '" + where + "." + field
                    + "' is missing or not a non-negative integer");
        }
        return v.longValue();
    }
}
