package org.replaydesk.hypervisor.qemu.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.SnapshotTag;
import org.replaydesk.api.Status;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.BootSource;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.ReplaySource;
import org.replaydesk.api.hypervisor.VmSpec;

/**
 * Reads and writes a VM definition as {@code vm.json}. The mapping is written out by hand so the
 * API records need no Jackson annotations and the file format is explicit and versioned.
 */
final class VmDefinitionCodec {
    static final int FORMAT_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private VmDefinitionCodec() {
    }

    static byte[] encode(VmSpec spec) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT_VERSION);
        root.put("name", spec.name().value());
        root.put("memoryMb", spec.memoryMb());
        root.put("workload", spec.workload());
        root.put("mode", spec.mode().name());
        root.put("network", spec.network());
        ObjectNode boot = root.putObject("boot");
        spec.boot().kernel().ifPresent(p -> boot.put("kernel", p.toString()));
        spec.boot().initrd().ifPresent(p -> boot.put("initrd", p.toString()));
        boot.put("kernelArgs", spec.boot().kernelArgs());
        spec.boot().diskImage().ifPresent(p -> boot.put("diskImage", p.toString()));
        spec.replaySource().ifPresent(source -> {
            ObjectNode replay = root.putObject("replay");
            replay.put("logFile", source.logFile().toString());
            replay.put("diskImage", source.diskImage().toString());
            source.snapshot().ifPresent(tag -> replay.put("snapshot", tag.value()));
            source.memoryImage().ifPresent(memory -> replay.put("memoryImage", memory.toString()));
        });
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode VM definition", e);
        }
    }

    /** Decodes a definition; a damaged file names itself and the field that is wrong. */
    static VmSpec decode(byte[] json, Path source) {
        try {
            JsonNode root = MAPPER.readTree(json);
            if (root == null || !root.isObject()) {
                throw new IOException("not a JSON object");
            }
            int format = root.path("format").asInt(-1);
            if (format != FORMAT_VERSION) {
                throw new IOException("unsupported format " + root.path("format") + " (expected " + FORMAT_VERSION + ")");
            }
            JsonNode boot = root.path("boot");
            BootSource bootSource = new BootSource(optionalPath(boot, "kernel"), optionalPath(boot, "initrd"),
                    boot.path("kernelArgs").asText(""), optionalPath(boot, "diskImage"));
            Optional<ReplaySource> replay = Optional.empty();
            JsonNode r = root.path("replay");
            if (r.isObject()) {
                replay = Optional.of(new ReplaySource(Path.of(required(r, "logFile")), Path.of(required(r, "diskImage")),
                        r.hasNonNull("snapshot") ? Optional.of(SnapshotTag.of(r.get("snapshot").asText())) : Optional.empty(),
                        r.hasNonNull("memoryImage") ? Optional.of(Path.of(r.get("memoryImage").asText())) : Optional.empty()));
            }
            return new VmSpec(VmName.of(required(root, "name")), root.path("memoryMb").asInt(VmSpec.DEFAULT_MEMORY_MB),
                    root.path("workload").asText(VmSpec.DEFAULT_WORKLOAD),
                    RecordReplayMode.valueOf(required(root, "mode")), bootSource, root.path("network").asBoolean(false),
                    replay);
        } catch (IOException | IllegalArgumentException | ReplayDeskException e) {
            throw new ReplayDeskException(Status.FAILED, "Damaged VM definition " + source + ": " + e.getMessage(), e);
        }
    }

    private static String required(JsonNode node, String field) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new IOException("missing field '" + field + "'");
        }
        return value.asText();
    }

    private static Optional<Path> optionalPath(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(Path.of(value.asText()));
    }
}
