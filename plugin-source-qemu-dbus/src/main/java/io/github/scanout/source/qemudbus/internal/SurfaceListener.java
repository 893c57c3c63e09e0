package io.github.scanout.source.qemudbus.internal;

import io.github.scanout.api.support.ConditionLog;
import java.util.Map;
import java.util.Objects;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.errors.PropertyReadOnly;
import org.freedesktop.dbus.errors.UnknownProperty;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.freedesktop.dbus.types.Variant;

/**
 * The {@link Display1Listener} Scanout exports for one console: hands each message to the
 * console's {@link ConsoleSurface}, which checks it; a refused message is one line in the
 * condition log (once per field, then summarised), and the connection goes on.
 *
 * <p>Threads: dbus-java calls it on the connection's one method-call thread, in QEMU's order
 * ({@link PeerConnections} makes that thread the only one).
 */
public final class SurfaceListener implements Display1Listener, Display1ListenerMap, Properties {
    private final String device;
    private final ConsoleSurface surface;
    private final ConditionLog log;

    /**
     * @param device the device's name, in front of every line
     * @param surface where the messages go
     * @param log where refusals go
     */
    SurfaceListener(String device, ConsoleSurface surface, ConditionLog log) {
        this.device = Objects.requireNonNull(device, "device");
        this.surface = Objects.requireNonNull(surface, "surface");
        this.log = Objects.requireNonNull(log, "log");
    }

    @Override
    public void Scanout(UInt32 width, UInt32 height, UInt32 stride, UInt32 pixmanFormat, byte[] data) {
        try {
            surface.scanout(u32(width), u32(height), u32(stride), u32(pixmanFormat), data);
        } catch (QemuMessageException e) {
            refused(e);
        }
    }

    @Override
    public void Update(int x, int y, int width, int height, UInt32 stride, UInt32 pixmanFormat, byte[] data) {
        try {
            surface.update(x, y, width, height, u32(stride), u32(pixmanFormat), data);
        } catch (QemuMessageException e) {
            refused(e);
        }
    }

    /**
     * The received fd stays dbus-java's: junixsocket records every fd it receives and closes it
     * when the connection's socket closes, so it is never closed here (a second close would hit
     * whatever reused the number); the surface keeps its own dup of an accepted one.
     */
    @Override
    public void ScanoutDMABUF(FileDescriptor dmabuf, UInt32 width, UInt32 height, UInt32 stride, UInt32 fourcc,
            UInt64 modifier, boolean y0Top) {
        try {
            surface.scanoutDmabuf(dmabuf == null ? -1 : dmabuf.getIntFileDescriptor(), u32(width), u32(height),
                u32(stride), u32(fourcc), modifier == null ? 0 : modifier.longValue(), y0Top);
        } catch (QemuMessageException e) {
            refused(e);
        }
    }

    @Override
    public void UpdateDMABUF(int x, int y, int width, int height) {
        try {
            surface.updateDmabuf(x, y, width, height);
        } catch (QemuMessageException e) {
            refused(e);
        }
    }

    @Override
    public String getObjectPath() {
        return Display1Listener.PATH;
    }

    /** The fd stays the connection's (junixsocket closes it); the surface keeps its own dup when it accepts it. */
    @Override
    public void ScanoutMap(FileDescriptor handle, UInt32 offset, UInt32 width, UInt32 height, UInt32 stride,
            UInt32 pixmanFormat) {
        try {
            surface.scanoutMap(handle == null ? -1 : handle.getIntFileDescriptor(), u32(offset), u32(width),
                u32(height), u32(stride), u32(pixmanFormat));
        } catch (QemuMessageException e) {
            refused(e);
        }
    }

    @Override
    public void UpdateMap(int x, int y, int width, int height) {
        try {
            surface.updateMap(x, y, width, height);
        } catch (QemuMessageException e) {
            refused(e);
        }
    }

    /** {@code Interfaces} of {@code org.qemu.Display1.Listener}: the one property QEMU reads. */
    @Override
    @SuppressWarnings("unchecked")
    public <A> A Get(String interfaceName, String propertyName) {
        if (Display1Listener.class.getAnnotation(DBusInterfaceName.class).value().equals(interfaceName)
                && "Interfaces".equals(propertyName)) {
            return (A) Display1Listener.INTERFACES.clone();
        }
        throw new UnknownProperty("no property " + propertyName + " of " + interfaceName + " here");
    }

    @Override
    public <A> void Set(String interfaceName, String propertyName, A value) {
        throw new PropertyReadOnly(propertyName + " of " + interfaceName + " cannot be set");
    }

    /** What a GDBus proxy (QEMU's) loads when it is made: {@code Interfaces} for the listener's interface. */
    @Override
    public Map<String, Variant<?>> GetAll(String interfaceName) {
        if (Display1Listener.class.getAnnotation(DBusInterfaceName.class).value().equals(interfaceName)) {
            return Map.of("Interfaces", new Variant<>(Display1Listener.INTERFACES.clone(), "as"));
        }
        return Map.of();
    }

    @Override
    public void Disable() {
        surface.disable();
    }

    @Override
    public void MouseSet(int x, int y, int on) {
        try {
            surface.mouseSet(x, y, on);
        } catch (QemuMessageException e) {
            refused(e);
        }
    }

    @Override
    public void CursorDefine(int width, int height, int hotX, int hotY, byte[] data) {
        try {
            surface.cursorDefine(width, height, hotX, hotY, data);
        } catch (QemuMessageException e) {
            refused(e);
        }
    }

    private void refused(QemuMessageException e) {
        log.report(System.Logger.Level.WARNING, e.field() + ":" + e.getMessage().split(" ", 3)[1],
            device + ": " + e.getMessage());
    }

    /** dbus-java hands {@code u} as UInt32; a null (dbus-java sends none) reads as 0. */
    private static long u32(UInt32 v) {
        return v == null ? 0 : v.longValue();
    }
}
