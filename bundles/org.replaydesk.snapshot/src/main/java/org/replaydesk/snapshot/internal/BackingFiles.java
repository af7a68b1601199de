package org.replaydesk.snapshot.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.replaydesk.api.ReplayDeskException;

/**
 * Finds the backing file of a snapshot image and names it by content. Bases are large (the demo's video disk is
 * 42 MiB, a template image gigabytes) and never change, so each is hashed once per run: the hash is kept per
 * (path, size, modification time).
 */
final class BackingFiles {

    /** A qcow2's backing file: absolute path and QEMU format. */
    record Backing(Path file, String format) {
    }

    private record FileKey(Path file, long size, long modified) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String qemuImg;
    private final Map<FileKey, String> ids = new ConcurrentHashMap<>();

    BackingFiles(String qemuImg) {
        this.qemuImg = qemuImg;
    }

    /**
     * Asks {@code qemu-img info -U} (-U: QEMU holds the image's lock while the VM runs; the header and backing name
     * this reads do not change under it).
     *
     * @param image a qcow2 image
     * @return its backing file, if it has one
     */
    Optional<Backing> backingOf(Path image) {
        String out = run(List.of(qemuImg, "info", "-U", "--output=json", image.toString()));
        JsonNode info;
        try {
            info = JSON.readTree(out);
        } catch (IOException e) {
            throw ReplayDeskException.failed("qemu-img info of " + image + " printed no JSON: " + out, e);
        }
        JsonNode name = info.get("full-backing-filename");
        if (name == null || !name.isTextual()) {
            name = info.get("backing-filename");
        }
        if (name == null || !name.isTextual()) {
            return Optional.empty();
        }
        Path file = Path.of(name.textValue());
        if (!file.isAbsolute()) {
            file = image.toAbsolutePath().getParent().resolve(file).normalize();
        }
        JsonNode format = info.get("backing-filename-format");
        if (format == null || !format.isTextual()) {
            throw ReplayDeskException.failed("image " + image + " names its backing file " + file
                    + " without a format; recreate it with 'qemu-img create -b FILE -F raw|qcow2'", null);
        }
        return Optional.of(new Backing(file, format.textValue()));
    }

    /**
     * @param file a base image
     * @return its chunk-store id, {@code base-} and the first 16 hex digits of its SHA-256
     */
    String imageId(Path file) {
        FileKey key;
        try {
            key = new FileKey(file.toAbsolutePath().normalize(), Files.size(file),
                    Files.getLastModifiedTime(file).toMillis());
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot read the backing file " + file + ": " + e, e);
        }
        return ids.computeIfAbsent(key, k -> "base-" + sha256(k.file()).substring(0, 16));
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0;) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw ReplayDeskException.failed("cannot hash the backing file " + file + ": " + e, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    private static String run(List<String> cmd) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw ReplayDeskException.unavailable("cannot run " + cmd.get(0) + " (install Debian's qemu-utils, or set "
                    + "qemu.img.binary): " + e.getMessage());
        }
        try (InputStream in = p.getInputStream()) {
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw ReplayDeskException.failed(String.join(" ", cmd) + " did not finish within 30 s", null);
            }
            if (p.exitValue() != 0) {
                throw ReplayDeskException.failed(String.join(" ", cmd) + " failed (" + p.exitValue() + "): "
                        + out.strip(), null);
            }
            return out;
        } catch (IOException e) {
            throw ReplayDeskException.failed(String.join(" ", cmd) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw ReplayDeskException.failed("interrupted while running " + cmd.get(0), e);
        }
    }
}
