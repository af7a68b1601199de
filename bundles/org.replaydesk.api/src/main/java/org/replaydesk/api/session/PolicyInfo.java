package org.replaydesk.api.session;

import java.util.Objects;

/**
 * One installed policy, for {@code desk:policy-list}.
 *
 * @param name the policy's {@value ModeSwitchPolicy#NAME_PROPERTY}
 * @param bundle the symbolic name of the bundle that registered it
 * @param description the policy's {@link ModeSwitchPolicy#describe()}
 * @param active whether sessions use it now
 */
public record PolicyInfo(String name, String bundle, String description, boolean active) {

    /** Checks the arguments. */
    public PolicyInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(description, "description");
    }
}
