package org.replaydesk.session.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.Status;
import org.replaydesk.api.session.ModeDecision;
import org.replaydesk.api.session.ModeSwitchPolicy;
import org.replaydesk.api.session.PolicyInfo;

/** Which policy sessions use as policies come and go and the operator chooses. */
class PolicyRegistryTest {

    private final PolicyRegistry registry = new PolicyRegistry();
    private final ModeSwitchPolicy paper = named("paper rules");
    private final ModeSwitchPolicy snowbird = named("snowbird profile");
    private final ModeSwitchPolicy example = named("third party");

    private static ModeSwitchPolicy named(String description) {
        return new ModeSwitchPolicy() {
            @Override
            public ModeDecision decide(org.replaydesk.api.session.SessionMetrics metrics) {
                return ModeDecision.stay();
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }

    private static Map<String, Object> props(String name, long id) {
        return Map.of(ModeSwitchPolicy.NAME_PROPERTY, name, "service.id", id, "vendor", name.equals("example")
                ? "com.example" : "replaydesk");
    }

    @Test
    void withoutPoliciesSessionsKeepTheSafetyRulesOnly() {
        assertSame(PolicyRegistry.NONE, registry.active());
        assertTrue(registry.list().isEmpty());
    }

    @Test
    void theDefaultIsPaperAndTheConfiguredNameWins() {
        registry.add(snowbird, props("snowbird", 2));
        registry.add(paper, props("paper", 1));
        assertEquals("paper", registry.active().name());
        registry.configure("snowbird", "");
        assertEquals("snowbird", registry.active().name());
        assertSame(snowbird, registry.active().policy());
    }

    @Test
    void aMissingConfiguredPolicyFallsBackToPaper() {
        registry.add(paper, props("paper", 1));
        registry.configure("snowbird", "");
        assertEquals("paper", registry.active().name());
        registry.add(snowbird, props("snowbird", 2));
        assertEquals("snowbird", registry.active().name(), "picked up as soon as it is installed");
        registry.remove(snowbird);
        assertEquals("paper", registry.active().name(), "and dropped when its bundle leaves");
    }

    @Test
    void theTargetFilterWinsOverTheName() {
        registry.add(paper, props("paper", 1));
        registry.add(example, props("example", 3));
        registry.configure("paper", "(vendor=com.example)");
        assertEquals("example", registry.active().name());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> registry.configure("paper", "(vendor=com.example"));
        assertTrue(bad.getMessage().startsWith("policy.target '(vendor=com.example' is not an LDAP filter"),
                bad.getMessage());
    }

    @Test
    void theOperatorsChoiceWinsAndUnknownNamesAreRefused() {
        registry.add(paper, props("paper", 1));
        registry.add(snowbird, props("snowbird", 2));
        registry.configure("paper", "(replaydesk.policy.name=paper)");
        registry.choose("snowbird");
        assertEquals("snowbird", registry.active().name());
        ReplayDeskException e = assertThrows(ReplayDeskException.class, () -> registry.choose("fastest"));
        assertEquals(Status.NOT_FOUND, e.status());
        assertEquals("no policy 'fastest' is installed (installed: paper, snowbird)", e.getMessage());
        List<PolicyInfo> list = registry.list();
        assertEquals(List.of("paper", "snowbird"), list.stream().map(PolicyInfo::name).toList());
        assertTrue(list.get(1).active());
        assertEquals("snowbird profile", list.get(1).description());
    }

    @Test
    void aPolicyWithoutANameIsIgnored() {
        assertNull(registry.add(example, Map.of("service.id", 9L)));
        assertTrue(registry.list().isEmpty());
    }
}
