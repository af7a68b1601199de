package org.replaydesk.policy.snowbird.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value SnowbirdPolicy#PID}; a change re-creates the policy with the new profile. */
@ObjectClassDefinition(name = "ReplayDesk snowbird policy",
        description = "Interaction-aware mode switching driven by a finite-state migration profile (JSON).")
@interface SnowbirdConfiguration {

    @AttributeDefinition(name = "Profile file", description = "Path of a profile JSON file, absolute or relative"
            + " to the Karaf home (${karaf.etc} works in .cfg files). Empty: the built-in default profile.")
    String profile() default "";

    @AttributeDefinition(name = "Inline profile", description = "The profile's JSON itself; when set it wins over"
            + " the profile file.")
    String profile_json() default "";

    @AttributeDefinition(name = "Window (s)", description = "Seconds traffic rates are averaged over, 1 to 300."
            + " Input events and frames per second after input always count over 10 s, as in Snowbird.")
    int window_seconds() default 20;
}
