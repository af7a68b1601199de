package org.replaydesk.rfb;

/**
 * VeNCrypt Plain authentication (sub-types Plain, TLSPlain, X509Plain): U32 username length, U32 password length,
 * username bytes, password bytes. This library reads and writes the bytes as UTF-8, which is what viewers on Linux
 * send for what the user typed.
 *
 * @param username user name
 * @param password password (never shown by {@link #toString()})
 */
public record PlainCredentials(String username, String password) implements RfbMessage {

    /** Rejects null fields: the wire has no way to say "absent". */
    public PlainCredentials {
        if (username == null || password == null) {
            throw new IllegalArgumentException("Plain credentials need a username and a password (may be empty)");
        }
    }

    @Override
    public String toString() {
        // A password must never reach a log through a debug statement or an assertion message.
        return "PlainCredentials[username=" + username + ", password=(" + password.length() + " characters)]";
    }
}
