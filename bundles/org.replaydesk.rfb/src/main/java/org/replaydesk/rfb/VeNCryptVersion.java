package org.replaydesk.rfb;

/**
 * VeNCrypt version, two U8s (major, minor). The server sends the highest version it speaks; the client answers with
 * the version it will use, or 0.0 when it can speak none. The same bytes travel both ways, so one record serves both
 * messages (like {@link ProtocolVersion}).
 *
 * @param major major version, 0..255
 * @param minor minor version, 0..255
 */
public record VeNCryptVersion(int major, int minor) implements RfbMessage {

    /** VeNCrypt 0.2: U32 sub-types and the sub-type acknowledgement; the only version this library speaks. */
    public static final VeNCryptVersion V0_2 = new VeNCryptVersion(0, 2);
    /** A client's "I can speak no version you offer". */
    public static final VeNCryptVersion NONE = new VeNCryptVersion(0, 0);

    /** Rejects numbers that do not fit a U8. */
    public VeNCryptVersion {
        if (major < 0 || major > 255 || minor < 0 || minor > 255) {
            throw new IllegalArgumentException("VeNCrypt version " + major + "." + minor + " does not fit two U8s");
        }
    }

    /**
     * @param other another version
     * @return whether this version is {@code other} or later
     */
    public boolean isAtLeast(VeNCryptVersion other) {
        return major != other.major ? major > other.major : minor >= other.minor;
    }

    @Override
    public String toString() {
        return "VeNCrypt " + major + "." + minor;
    }
}
