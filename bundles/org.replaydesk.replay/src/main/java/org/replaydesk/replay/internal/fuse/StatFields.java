package org.replaydesk.replay.internal.fuse;

import java.util.HashMap;
import java.util.Map;
import org.replaydesk.api.ReplayDeskException;

/**
 * The {@code key=value} fields of a STAT reply, looked up by name: rdfuse may add fields (it added {@code start}),
 * so position means nothing.
 */
final class StatFields {
    private final String text;
    private final Map<String, String> fields = new HashMap<>();

    StatFields(String text) {
        this.text = text;
        for (String field : text.split(" ")) {
            int eq = field.indexOf('=');
            if (eq > 0) {
                fields.put(field.substring(0, eq), field.substring(eq + 1));
            }
        }
    }

    String text(String key) {
        String value = fields.get(key);
        if (value == null) {
            throw ReplayDeskException.failed("rdfuse's STAT reply lacks " + key + "=: \"" + text + "\"", null);
        }
        return value;
    }

    long number(String key) {
        String value = text(key);
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ReplayDeskException.failed("rdfuse's STAT reply has a bad " + key + "=" + value + ": \"" + text + "\"",
                null);
    }

    long optionalNumber(String key) {
        return fields.containsKey(key) ? number(key) : 0;
    }
}
