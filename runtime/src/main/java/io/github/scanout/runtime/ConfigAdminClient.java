package io.github.scanout.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * ConfigurationAdmin, used from outside the framework. The launcher's class loader does not see
 * {@code org.osgi.service.cm} (the ConfigAdmin bundle exports it; the system bundle exports
 * nothing of ours), so the few calls it needs are made through the interface classes loaded
 * from the bundle that registered the service.
 *
 * <p>Configurations are created as named factory configurations ({@code factoryPid~name}) bound
 * to any bundle (location {@code ?}).
 *
 * <p>Threads: any.
 */
final class ConfigAdminClient {
    static final String SERVICE = "org.osgi.service.cm.ConfigurationAdmin";

    private final Object admin;
    private final Method getFactoryConfiguration;
    private final Method listConfigurations;
    private final Method update;
    private final Method delete;
    private final Method getPid;

    private ConfigAdminClient(Object admin, Class<?> adminType, Class<?> configType) throws NoSuchMethodException {
        this.admin = admin;
        this.getFactoryConfiguration = adminType.getMethod("getFactoryConfiguration", String.class, String.class,
                String.class);
        this.listConfigurations = adminType.getMethod("listConfigurations", String.class);
        this.update = configType.getMethod("update", Dictionary.class);
        this.delete = configType.getMethod("delete");
        this.getPid = configType.getMethod("getPid");
    }

    /**
     * The framework's ConfigurationAdmin.
     *
     * @throws IllegalStateException when no ConfigurationAdmin service is registered
     */
    static ConfigAdminClient of(BundleContext ctx) {
        // getAll: the launcher's class loader must not decide which ConfigAdmin is compatible
        ServiceReference<?>[] refs;
        try {
            refs = ctx.getAllServiceReferences(SERVICE, null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        ServiceReference<?> ref = refs == null || refs.length == 0 ? null : refs[0];
        if (ref == null) {
            throw new IllegalStateException("no ConfigurationAdmin service: is bundles/org.apache.felix.configadmin.jar there?");
        }
        Object admin = ctx.getService(ref);
        try {
            Class<?> adminType = ref.getBundle().loadClass(SERVICE);
            Class<?> configType = ref.getBundle().loadClass("org.osgi.service.cm.Configuration");
            return new ConfigAdminClient(admin, adminType, configType);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new IllegalStateException("the ConfigurationAdmin service does not offer the R7 API: " + e, e);
        }
    }

    /**
     * Creates (or replaces the properties of) the factory configuration {@code factoryPid~name}.
     *
     * @return its PID
     */
    String put(String factoryPid, String name, Map<String, ?> properties) {
        Object config = call(getFactoryConfiguration, admin, factoryPid, name, "?");
        Hashtable<String, Object> dict = new Hashtable<>(properties);
        call(update, config, dict);
        return (String) call(getPid, config);
    }

    /** Deletes the configuration with this PID; nothing happens when there is none. */
    void delete(String pid) {
        Object[] found = (Object[]) call(listConfigurations, admin, "(service.pid=" + escape(pid) + ")");
        if (found != null) {
            for (Object c : found) {
                call(delete, c);
            }
        }
    }

    /** Whether a configuration with this PID exists. */
    boolean exists(String pid) {
        Object[] found = (Object[]) call(listConfigurations, admin, "(service.pid=" + escape(pid) + ")");
        return found != null && found.length > 0;
    }

    static String escape(String value) {
        StringBuilder b = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '(' || c == ')' || c == '*') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    private static Object call(Method m, Object target, Object... args) {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("ConfigurationAdmin." + m.getName() + " failed: " + cause, cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("ConfigurationAdmin." + m.getName() + " is not accessible: " + e, e);
        }
    }
}
