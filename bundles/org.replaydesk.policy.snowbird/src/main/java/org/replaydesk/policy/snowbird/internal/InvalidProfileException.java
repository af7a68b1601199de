package org.replaydesk.policy.snowbird.internal;

/**
 * A snowbird profile that cannot be used, with where it came from, the field at fault and why, e.g.
 * {@code invalid snowbird profile /etc/x.json: rules[2].when[0].sensor: unknown sensor 'fps' (known: ...)}.
 */
final class InvalidProfileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param source where the profile came from (a file, inline configuration, the built-in one)
     * @param field the field path ({@code rules[2].when[0].sensor}), or a {@code line L, column C} position for
     *        malformed JSON, or empty when the source could not be read at all
     * @param reason what is wrong
     */
    InvalidProfileException(String source, String field, String reason) {
        super("invalid snowbird profile " + source + ": " + (field.isEmpty() ? "" : field + ": ") + reason);
        this.field = field;
    }

    /** @return the field path the message names */
    String field() {
        return field;
    }
}
