package org.replaydesk.policy.paper.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds a component property type (a config annotation) the way SCR would: each method answers the value under its
 * property name ({@code window_seconds} is {@code window.seconds}) or its default.
 */
final class Configs {

    private Configs() {
    }

    /**
     * @param type the config annotation
     * @param properties values by property name; a name the annotation lacks fails, so a typo cannot pass silently
     * @return the configuration
     */
    static <A> A of(Class<A> type, Map<String, Object> properties) {
        Set<String> known = Arrays.stream(type.getDeclaredMethods()).map(Configs::propertyName)
                .collect(Collectors.toSet());
        for (String key : properties.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(type.getSimpleName() + " has no property " + key + " (has "
                        + known + ")");
            }
        }
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "annotationType":
                            return type;
                        case "toString":
                            return type.getSimpleName() + properties;
                        case "hashCode":
                            return properties.hashCode();
                        case "equals":
                            return proxy == args[0];
                        default:
                            String key = propertyName(method);
                            return properties.containsKey(key) ? properties.get(key) : method.getDefaultValue();
                    }
                }));
    }

    /** @return the configuration with every default */
    static <A> A defaults(Class<A> type) {
        return of(type, Map.of());
    }

    /** The DS mapping for these names: a single underscore becomes a dot. */
    private static String propertyName(Method method) {
        return method.getName().replace('_', '.');
    }
}
