package org.replaydesk.api;

import java.util.regex.Pattern;

/**
 * The name of a desktop VM, unique on a host. Names become directory names, socket names and
 * shell arguments, so only a safe subset of characters is allowed.
 *
 * @param value 1-63 characters: lower-case letters, digits, '-', '_' and '.', starting with a letter or digit
 */
public record VmName(String value) implements Comparable<VmName> {
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    public VmName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw ReplayDeskException.invalid("Invalid VM name '" + value
                    + "': use 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    public static VmName of(String value) {
        return new VmName(value);
    }

    @Override
    public int compareTo(VmName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
