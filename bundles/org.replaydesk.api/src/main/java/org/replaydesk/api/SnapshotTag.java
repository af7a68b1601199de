package org.replaydesk.api;

import java.util.regex.Pattern;

/**
 * The tag of a VM snapshot (a QEMU internal snapshot name). Tags are passed to the QEMU monitor
 * on a command line, so spaces and quotes are not allowed.
 *
 * @param value 1-63 characters: letters, digits, '-', '_' and '.', starting with a letter or digit
 */
public record SnapshotTag(String value) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public SnapshotTag {
        if (value == null || !VALID.matcher(value).matches()) {
            throw ReplayDeskException.invalid("Invalid snapshot tag '" + value
                    + "': use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    public static SnapshotTag of(String value) {
        return new SnapshotTag(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
