package org.replaydesk.session.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.replaydesk.api.ReplayDeskException;
import org.replaydesk.api.session.AbstractModeSwitchPolicy;
import org.replaydesk.api.session.ModeSwitchPolicy;
import org.replaydesk.api.session.PolicyInfo;

/**
 * The installed policies and which one sessions use. Policies come and go as bundles do; sessions ask
 * {@link #active()} at every tick, so a swap takes effect at the next decision without touching the session.
 *
 * <p>Choice, first match wins: the operator's {@code desk:policy-set}, the configured target filter, the configured
 * name, then {@value ModeSwitchPolicy#DEFAULT_POLICY}; with none of them installed, the paper's safety rules alone
 * (a session then stays in display unless the operator asks for replay).
 */
final class PolicyRegistry {

    /** What sessions use when no policy is installed: never leaves display on its own. */
    static final Active NONE = new Active("none", new AbstractModeSwitchPolicy() {
        @Override
        public String describe() {
            return "no policy installed: stays in display mode";
        }
    });

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private volatile String configuredName = ModeSwitchPolicy.DEFAULT_POLICY;
    private volatile Filter target;
    private volatile String operatorChoice;

    /** The chosen policy and its name. */
    record Active(String name, ModeSwitchPolicy policy) {
    }

    private record Entry(String name, String bundle, ModeSwitchPolicy policy, Map<String, Object> properties,
            long serviceId, int ranking) {
    }

    /**
     * @param name the configured {@code policy.name}
     * @param filter the configured {@code policy.target}; empty for none
     * @throws IllegalArgumentException naming the key if the filter does not parse
     */
    void configure(String name, String filter) {
        Filter parsed = null;
        if (filter != null && !filter.isBlank()) {
            try {
                parsed = FrameworkUtil.createFilter(filter.strip());
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException("policy.target '" + filter + "' is not an LDAP filter: "
                        + e.getMessage(), e);
            }
        }
        configuredName = name == null || name.isBlank() ? ModeSwitchPolicy.DEFAULT_POLICY : name.strip();
        target = parsed;
    }

    /**
     * @param policy a policy service
     * @param properties its service properties
     * @return the name it was registered under; null (and ignored) without a name property
     */
    String add(ModeSwitchPolicy policy, Map<String, Object> properties) {
        Object name = properties.get(ModeSwitchPolicy.NAME_PROPERTY);
        if (!(name instanceof String n) || n.isBlank()) {
            return null;
        }
        Object bundle = properties.getOrDefault("component.name", policy.getClass().getName());
        Object id = properties.getOrDefault("service.id", 0L);
        Object ranking = properties.getOrDefault("service.ranking", 0);
        entries.add(new Entry(n.strip(), bundleOf(policy, String.valueOf(bundle)), policy, Map.copyOf(properties),
                id instanceof Long l ? l : 0L, ranking instanceof Integer r ? r : 0));
        return n.strip();
    }

    /** @param policy a policy service that went away */
    void remove(ModeSwitchPolicy policy) {
        entries.removeIf(e -> e.policy == policy);
    }

    /**
     * @param name the policy the operator chose
     * @throws ReplayDeskException NOT_FOUND naming the installed ones if none has that name
     */
    void choose(String name) {
        Objects.requireNonNull(name, "name");
        if (find(name.strip()).isEmpty()) {
            throw ReplayDeskException.notFound("no policy '" + name + "' is installed (installed: "
                    + String.join(", ", names()) + ")");
        }
        operatorChoice = name.strip();
    }

    /** @return the policy sessions use now */
    Active active() {
        String chosen = operatorChoice;
        if (chosen != null) {
            Optional<Entry> e = find(chosen);
            if (e.isPresent()) {
                return new Active(e.get().name, e.get().policy);
            }
        }
        Filter f = target;
        if (f != null) {
            Optional<Entry> e = ordered().stream().filter(x -> f.matches(x.properties)).findFirst();
            if (e.isPresent()) {
                return new Active(e.get().name, e.get().policy);
            }
        }
        for (String name : List.of(configuredName, ModeSwitchPolicy.DEFAULT_POLICY)) {
            Optional<Entry> e = find(name);
            if (e.isPresent()) {
                return new Active(e.get().name, e.get().policy);
            }
        }
        return NONE;
    }

    /** @return every installed policy, sorted by name */
    List<PolicyInfo> list() {
        String active = active().name();
        List<PolicyInfo> out = new ArrayList<>();
        for (Entry e : ordered()) {
            String description;
            try {
                description = e.policy.describe();
            } catch (RuntimeException x) {
                description = "(describe() failed: " + x + ")";
            }
            out.add(new PolicyInfo(e.name, e.bundle, description == null ? "" : description,
                    e.name.equals(active)));
        }
        out.sort(Comparator.comparing(PolicyInfo::name));
        return out;
    }

    private List<String> names() {
        return ordered().stream().map(Entry::name).distinct().sorted().toList();
    }

    private Optional<Entry> find(String name) {
        return ordered().stream().filter(e -> e.name.equals(name)).findFirst();
    }

    /** Highest ranking first, then oldest service: the OSGi rule for picking one of several. */
    private List<Entry> ordered() {
        List<Entry> all = new ArrayList<>(entries);
        all.sort(Comparator.comparingInt(Entry::ranking).reversed().thenComparingLong(Entry::serviceId));
        return all;
    }

    private static String bundleOf(ModeSwitchPolicy policy, String fallback) {
        try {
            org.osgi.framework.Bundle b = FrameworkUtil.getBundle(policy.getClass());
            return b == null ? fallback : b.getSymbolicName();
        } catch (RuntimeException | LinkageError e) {
            return fallback;
        }
    }
}
