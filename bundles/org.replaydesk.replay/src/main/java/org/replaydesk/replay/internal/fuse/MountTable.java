package org.replaydesk.replay.internal.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * /proc/mounts lookups and lazy FUSE unmounts: a helper killed with SIGKILL leaves a dead mount behind (stat of it
 * fails with ENOTCONN) until someone unmounts it.
 */
final class MountTable {
    private static final Logger LOG = LoggerFactory.getLogger(MountTable.class);

    private MountTable() {
    }

    /** @param path an absolute, canonical path; @return true if something is mounted exactly there */
    static boolean isMounted(String path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/mounts"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("cannot read /proc/mounts: {}", e.toString());
            return false;
        }
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length > 1 && unescape(fields[1]).equals(path)) {
                return true;
            }
        }
        return false;
    }

    /** /proc/mounts writes space, tab, newline and backslash as octal escapes (\040 ...). */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).chars()
                    .allMatch(d -> d >= '0' && d <= '7')) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code fusermount3 -u -z path}: detaches the mount even if files on it are still open. */
    static void unmountLazily(String path) {
        try {
            Process p = new ProcessBuilder("fusermount3", "-u", "-z", path).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.warn("fusermount3 -u -z {} did not finish in 10 s", path);
            } else if (p.exitValue() != 0) {
                LOG.warn("fusermount3 -u -z {} failed (status {}): {}", path, p.exitValue(), output);
            }
        } catch (IOException e) {
            LOG.warn("cannot run fusermount3 to unmount {} ({}): install the Debian package fuse3", path,
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
