package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.support.ConfigException;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code qemu-dbus:} device spec: {@code qemu-dbus:qmp:/path/to/qmp.sock?console=N}, QEMU's
 * QMP socket (QEMU started with {@code -display dbus,p2p=yes}) and the console to show (default
 * 0). Options are read with the configuration toolkit ({@link ConfigReader}); an unknown option,
 * a bad value or a spec of another form is one line naming the spec.
 *
 * @param qmp the QMP socket's path, absolute
 * @param console the console index
 */
record QemuDbusSpec(Path qmp, int console) {
    static final String SCHEME = "qemu-dbus";
    static final String FORM = "expected qemu-dbus:qmp:/path/to/qmp.sock?console=N";
    static final List<ConfigKey> KEYS = List.of(
        ConfigKey.integer("console", 0, 255, 0, "the QEMU console to show (its index, as in Console_N)"));
    /** sun_path holds 108 bytes, the last a NUL. */
    static final int MAX_PATH = 107;

    static QemuDbusSpec parse(String spec) throws DeviceException {
        String prefix = SCHEME + ":qmp:";
        if (!spec.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new DeviceException("spec '" + spec + "' is not a qemu-dbus device: " + FORM);
        }
        String rest = spec.substring(prefix.length());
        int q = rest.indexOf('?');
        String path = q < 0 ? rest : rest.substring(0, q);
        String query = q < 0 ? "" : rest.substring(q + 1);
        if (!path.startsWith("/") || path.length() > MAX_PATH || path.indexOf('\0') >= 0) {
            throw new DeviceException("spec '" + spec + "': the QMP socket '" + path + "' is not an absolute path of"
                + " at most " + MAX_PATH + " characters: " + FORM);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String pair : query.isEmpty() ? new String[0] : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (KEYS.stream().noneMatch(k -> k.name().equals(key))) {
                throw new DeviceException("spec '" + spec + "': unknown option '" + key + "': " + FORM);
            }
            if (eq < 0) {
                throw new DeviceException("spec '" + spec + "': option '" + key + "' has no value: " + FORM);
            }
            if (options.put(key, pair.substring(eq + 1)) != null) {
                throw new DeviceException("spec '" + spec + "': option '" + key + "' is given twice");
            }
        }
        ConfigReader r = new ConfigReader("spec '" + spec + "'", KEYS, options);
        try {
            r.check();
        } catch (ConfigException e) {
            throw new DeviceException(e.getMessage());
        }
        return new QemuDbusSpec(Path.of(path), r.integer("console"));
    }
}
