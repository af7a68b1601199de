package org.replaydesk.qmp;

import java.util.List;
import java.util.Objects;

/**
 * The banner QEMU sends when a client connects, before capabilities negotiation.
 *
 * <p>The drivers check the version because record/replay behaviour (log format, snapshot refusal texts)
 * is specific to QEMU 7.2.
 *
 * @param major QEMU major version, e.g. 7
 * @param minor QEMU minor version, e.g. 2
 * @param micro QEMU micro version, e.g. 22 for Debian's 7.2.22
 * @param packageName the distribution's package string, e.g. {@code Debian 1:7.2+dfsg-7+deb12u18+b3}; may be
 *     empty for an upstream build
 * @param capabilities capabilities QEMU offers, e.g. {@code oob}; this client enables none of them
 */
public record QmpGreeting(int major, int minor, int micro, String packageName, List<String> capabilities) {

    /**
     * Copies the capability list so that the record stays immutable.
     *
     * @param major see {@link #major()}
     * @param minor see {@link #minor()}
     * @param micro see {@link #micro()}
     * @param packageName see {@link #packageName()}
     * @param capabilities see {@link #capabilities()}
     */
    public QmpGreeting {
        Objects.requireNonNull(packageName, "packageName");
        capabilities = List.copyOf(capabilities);
    }

    /** @return the version as {@code major.minor.micro}, e.g. {@code 7.2.22} */
    public String version() {
        return major + "." + minor + "." + micro;
    }

    /**
     * @param wantedMajor major version
     * @param wantedMinor minor version
     * @return whether this QEMU is {@code wantedMajor.wantedMinor} (any micro release)
     */
    public boolean isVersion(int wantedMajor, int wantedMinor) {
        return major == wantedMajor && minor == wantedMinor;
    }
}
