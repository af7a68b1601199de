package org.replaydesk.policy.snowbird.internal;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A snowbird profile that cannot be used, with where it came from and every problem found, each as a field path and
 * a reason, e.g. {@code invalid snowbird profile /etc/x.json: rules[2].when[0].sensor: unknown sensor 'fps' (known:
 * ...)}; several problems are separated by {@code "; "}.
 */
final class InvalidProfileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * One problem.
     *
     * @param field the field path ({@code rules[2].when[0].sensor}), a {@code line L, column C} position for
     *        malformed JSON, or empty when the source could not be read at all
     * @param reason what is wrong
     */
    record Problem(String field, String reason) {
        @Override
        public String toString() {
            return field.isEmpty() ? reason : field + ": " + reason;
        }
    }

    private final transient List<Problem> problems;

    /**
     * @param source where the profile came from (a file, inline configuration, the built-in one)
     * @param field the field path, position, or empty (see {@link Problem})
     * @param reason what is wrong
     */
    InvalidProfileException(String source, String field, String reason) {
        this(source, List.of(new Problem(field, reason)));
    }

    /**
     * @param source where the profile came from
     * @param problems every problem, in document order; not empty
     */
    InvalidProfileException(String source, List<Problem> problems) {
        super("invalid snowbird profile " + source + ": "
                + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    /** @return the first problem's field path */
    String field() {
        return problems.get(0).field();
    }

    /** @return every problem, in document order */
    List<Problem> problems() {
        return problems;
    }
}
