package org.replaydesk.session.internal;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.function.Function;

/** Interface fakes from a table of method names to answers; any other method fails the test that calls it. */
final class Fakes {

    private Fakes() {
    }

    @SuppressWarnings("unchecked")
    static <T> T of(Class<T> type, Map<String, Function<Object[], Object>> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Function<Object[], Object> answer = answers.get(method.getName());
            if (answer == null) {
                if (method.isDefault()) {
                    return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                }
                if (method.getName().equals("toString")) {
                    return "Fake " + type.getSimpleName();
                }
                throw new AssertionError("unexpected call " + type.getSimpleName() + "." + method.getName());
            }
            return answer.apply(args);
        });
    }
}
