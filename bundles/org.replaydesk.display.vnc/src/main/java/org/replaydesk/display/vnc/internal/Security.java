package org.replaydesk.display.vnc.internal;

import java.util.Locale;

/** How viewers authenticate to a display. */
enum Security {
    /** No authentication: only allowed on a loopback address. */
    NONE,
    /** Classic VNC authentication (DES challenge-response, password of at most 8 characters). */
    VNCAUTH;

    static Security parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("security '" + value + "' is not 'none' or 'vncauth'", e);
        }
    }
}
