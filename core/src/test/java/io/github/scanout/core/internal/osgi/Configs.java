package io.github.scanout.core.internal.osgi;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Instances of component property types (DS {@code @interface} configurations) from a map, named
 * the way SCR names them: {@code buffer_type()} reads key {@code buffer.type}; a missing key gives
 * the element's default, or null when it has none (a missing required value).
 */
final class Configs {
    private Configs() {}

    static <A> A of(Class<A> type, Map<String, ?> values) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            switch (method.getName()) {
                case "annotationType":
                    return type;
                case "toString":
                    return type.getSimpleName() + values;
                case "hashCode":
                    return values.hashCode();
                case "equals":
                    return self == args[0];
                default:
                    break;
            }
            String key = key(method);
            Object v = values.get(key);
            if (v == null) {
                return method.getDefaultValue();
            }
            if (method.getReturnType() == String.class) {
                return String.valueOf(v);
            }
            return v;
        });
        return type.cast(proxy);
    }

    static String key(Method m) {
        return m.getName().replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
    }
}
