package org.replaydesk.api.session;

import java.util.Locale;

/** What the operator asked of a session ({@code desk:session-mode}). */
public enum ModeRequest {
    /** The active policy decides. */
    AUTO,
    /** Stay in (or go back to) display mode whatever the policy says. */
    DISPLAY,
    /** Go to replay mode (through snapshot and dual mode) and stay there while the client keeps up. */
    REPLAY;

    /**
     * @param text {@code auto}, {@code display} or {@code replay}, any case
     * @return the request
     * @throws IllegalArgumentException naming the accepted values
     */
    public static ModeRequest parse(String text) {
        if (text != null) {
            for (ModeRequest r : values()) {
                if (r.name().equalsIgnoreCase(text.trim())) {
                    return r;
                }
            }
        }
        throw new IllegalArgumentException("unknown mode '" + text + "': use display, replay or auto");
    }

    /** @return the lower-case name used by the shell */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
