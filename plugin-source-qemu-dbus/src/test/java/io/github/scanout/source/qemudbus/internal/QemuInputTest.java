package io.github.scanout.source.qemudbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.input.InputTarget;
import io.github.scanout.core.Devices;
import io.github.scanout.testsupport.RecordingReporter;
import io.github.scanout.source.qemudbus.internal.PeerConnections.Peer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.freedesktop.dbus.interfaces.Introspectable;
import org.freedesktop.dbus.interfaces.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@link QemuInput} against a real QEMU (a standard VGA, a PS/2 keyboard and mouse, a USB tablet;
 * no disk, so SeaBIOS runs): the interfaces as QEMU itself describes them (its introspection of
 * {@code /org/qemu/Display1/Console_0}), every call accepted (no D-Bus error), and the effect seen
 * in QEMU's own input trace ({@code -trace input_event_*}, written to its log): the keys as QEMU's
 * key codes in order, the buttons, and the pointer's position as QEMU queued it.
 */
class QemuInputTest {

    static final Duration WAIT = RealQemu.WAIT;
    static final Pattern KEY = Pattern.compile("input_event_key_qcode con \\d+, key qcode (\\S+), down (\\d)");
    static final Pattern BUTTON = Pattern.compile("input_event_btn con \\d+, button (\\S+), down (\\d)");
    static final Pattern ABS = Pattern.compile("input_event_abs con \\d+, axis (\\S+), value (0x[0-9a-f]+)");
    static final Pattern REL = Pattern.compile("input_event_rel con \\d+, axis (\\S+), value (-?\\d+)");

    @TempDir
    Path dir;

    RealQemu real;

    @BeforeEach
    void startQemu() throws Exception {
        // a second QMP socket for the test's own commands (QEMU serves one client per socket)
        real = RealQemu.start(dir, "-machine", "pc", "-vga", "none", "-device", "VGA", "-usb", "-device", "usb-tablet",
                "-trace", "input_event_*", "-qmp", "unix:" + dir.resolve("mon.sock") + ",server=on,wait=off");
    }

    @AfterEach
    void stopQemu() {
        if (real != null) {
            real.close();
        }
    }

    /** The display connection, as {@code QemuDisplay.open} makes it ({@code getfd} + {@code add_client}). */
    static Peer display(QmpClient qmp) throws Exception {
        return PeerConnections.open(accepted -> {
            qmp.getfd("scanout-input-test", accepted.getFileDescriptor());
            qmp.addDbusClient("scanout-input-test");
        }, null, WAIT);
    }

    @Test
    void qemuDescribesItsKeyboardAndMouseAsTheInterfacesHere() throws Exception {
        try (QmpClient qmp = QmpClient.connect(real.sock, WAIT); Peer peer = display(qmp)) {
            String xml = peer.connection().getRemoteObject("/org/qemu/Display1/Console_0", Introspectable.class)
                    .Introspect();
            Files.writeString(dir.resolve("console0.xml"), xml);
            Map<String, String> keyboard = methods(xml, "org.qemu.Display1.Keyboard");
            Map<String, String> mouse = methods(xml, "org.qemu.Display1.Mouse");
            assertThat(keyboard).containsEntry("Press", "u keycode").containsEntry("Release", "u keycode");
            assertThat(mouse).containsEntry("Press", "u button").containsEntry("Release", "u button")
                    .containsEntry("SetAbsPosition", "u x, u y").containsEntry("RelMotion", "i dx, i dy")
                    .containsEntry("@IsAbsolute", "b");
        }
    }

    @Test
    void keysReachQemuAsItsKeyCodesInOrder() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (QmpClient qmp = QmpClient.connect(real.sock, WAIT); Peer peer = display(qmp);
                QemuInput input = new QemuInput("qemu-test", 0, (level, message) -> lines.add(level + " " + message))) {
            input.connected(peer.connection()::getRemoteObject);
            int[][] typed = {
                {'a', 1}, {'a', 0}, {0xffe1, 1}, {'B', 1}, {'B', 0}, {0xffe1, 0}, {'1', 1}, {'1', 0},
                {0xff0d, 1}, {0xff0d, 0}, {0xff08, 1}, {0xff08, 0}, {0xff09, 1}, {0xff09, 0}, {0xff1b, 1}, {0xff1b, 0},
                {0xff52, 1}, {0xff52, 0}, {0xff51, 1}, {0xff51, 0}, {0xffe3, 1}, {0xffe9, 1}, {0xffe9, 0}, {0xffe3, 0},
            };
            for (int[] t : typed) {
                input.key(t[0], t[1] == 1);
            }
            input.key(0x20ac, true); // EuroSign: no key on a US keyboard, dropped here with a debug line
            assertThat(input.drain(WAIT.toMillis())).isTrue();
            assertThat(input.forwarded()).as("calls QEMU accepted").isEqualTo(typed.length);
            assertThat(input.dropped()).isEqualTo(1);
            assertThat(lines).containsExactly("DEBUG input for qemu-test: keysym 0x20ac has no key on a US PC keyboard;"
                    + " dropped");
            List<String> expected = List.of("a 1", "a 0", "shift 1", "b 1", "b 0", "shift 0", "1 1", "1 0", "ret 1",
                    "ret 0", "backspace 1", "backspace 0", "tab 1", "tab 0", "esc 1", "esc 0", "up 1", "up 0", "left 1",
                    "left 0", "ctrl 1", "alt 1", "alt 0", "ctrl 0");
            assertThat(awaitTrace(KEY, expected.size())).isEqualTo(expected);
        }
    }

    @Test
    void theDevicesInputTargetTypesIntoItsConsoleWhileTheDeviceIsOpen() throws Exception {
        RecordingReporter lines = new RecordingReporter();
        Devices devices = new Devices(List.of(new QemuDbusDeviceProvider(lines)));
        String spec = "qemu-dbus:qmp:" + real.sock;
        InputTarget target = devices.input(spec).orElseThrow();
        QemuInput input = (QemuInput) target;
        target.key('x', true); // not open yet: nowhere to go
        assertThat(input.dropped()).isEqualTo(1);

        GfxDevice device = devices.open(spec);
        try {
            assertThat(devices.input(spec)).as("the same target for the same spec").containsSame(target);
            target.key('a', true);
            target.key('a', false);
            assertThat(input.drain(WAIT.toMillis())).isTrue();
            assertThat(awaitTrace(KEY, 2)).containsExactly("a 1", "a 0");
        } finally {
            device.close();
        }
        target.key('b', true); // closed: dropped again
        assertThat(input.dropped()).isEqualTo(2);
        assertThat(values(KEY, Files.readString(dir.resolve("qemu.log")))).containsExactly("a 1", "a 0");
        assertThat(lines.lines()).noneMatch(l -> l.contains("cannot be reached"));
    }

    @Test
    void thePointerAndItsButtonsReachQemuRelativeThroughThePs2Mouse() throws Exception {
        pointerAndButtons(false);
    }

    @Test
    void thePointerAndItsButtonsReachQemuAbsoluteThroughTheUsbTablet() throws Exception {
        // make the tablet QEMU's current mouse, as a guest's USB driver would (HMP mouse_set INDEX)
        String mice = monitor("{\"execute\": \"query-mice\"}");
        Matcher tablet = Pattern.compile("\"index\": (\\d+), \"name\": \"QEMU HID Tablet\"").matcher(mice);
        assertThat(tablet.find()).as("the tablet in " + mice).isTrue();
        monitor("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"mouse_set "
                + tablet.group(1) + "\"}}");
        assertThat(monitor("{\"execute\": \"query-mice\"}")).contains("\"name\": \"QEMU HID Tablet\", \"current\": true");
        pointerAndButtons(true);
    }

    /** One QMP command on the test's own socket; returns QEMU's answer line. */
    String monitor(String command) throws Exception {
        try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(dir.resolve("mon.sock")));
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(java.nio.channels.Channels.newInputStream(ch),
                        StandardCharsets.UTF_8))) {
            var out = java.nio.channels.Channels.newOutputStream(ch);
            in.readLine(); // the greeting
            for (String c : List.of("{\"execute\": \"qmp_capabilities\"}", command)) {
                out.write((c + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                while (true) {
                    String line = in.readLine();
                    assertThat(line).as("QMP answer to " + c).isNotNull();
                    if (line.startsWith("{\"error\"")) {
                        throw new AssertionError("QMP " + c + ": " + line);
                    }
                    if (line.startsWith("{\"return\"")) {
                        if (c.equals(command)) {
                            return line;
                        }
                        break;
                    }
                }
            }
            throw new AssertionError("unreachable");
        }
    }

    void pointerAndButtons(boolean expectAbsolute) throws Exception {
        try (QmpClient qmp = QmpClient.connect(real.sock, WAIT); Peer peer = display(qmp);
                QemuInput input = new QemuInput("qemu-test", 0, (level, message) -> System.err.println(message))) {
            input.connected(peer.connection()::getRemoteObject);
            Object absolute = peer.connection().getRemoteObject("/org/qemu/Display1/Console_0", Properties.class)
                    .Get(Display1Mouse.NAME, "IsAbsolute");
            input.pointer(100, 50, 0);
            input.pointer(100, 50, InputTarget.BUTTON_LEFT);
            input.pointer(100, 50, 0);
            input.pointer(300, 200, InputTarget.BUTTON_RIGHT);
            input.pointer(300, 200, 0);
            assertThat(input.drain(WAIT.toMillis())).isTrue();
            assertThat(input.forwarded()).isEqualTo(5);
            assertThat(input.dropped()).isZero();
            assertThat(awaitTrace(BUTTON, 4)).containsExactly("left 1", "left 0", "right 1", "right 0");
            String log = Files.readString(dir.resolve("qemu.log"));
            assertThat(absolute).as("IsAbsolute").isEqualTo(expectAbsolute);
            if (expectAbsolute) {
                // QEMU scales a console position to 0..0x7fff over the console's 640 x 480 pixels
                assertThat(values(ABS, log)).contains("x " + hex(100 * 0x7fff / 640), "y " + hex(50 * 0x7fff / 480),
                        "x " + hex(300 * 0x7fff / 640), "y " + hex(200 * 0x7fff / 480));
            } else {
                // relative: the first position is only remembered; the move is the distance
                assertThat(values(REL, log)).containsSubsequence("x 200", "y 150");
            }
        }
    }

    @Test
    void withoutAConnectionEventsAreDroppedAndCounted() throws Exception {
        try (QemuInput input = new QemuInput("qemu-test", 0, (level, message) -> { })) {
            input.key('a', true);
            input.pointer(1, 2, InputTarget.BUTTON_LEFT);
            assertThat(input.drain(WAIT.toMillis())).isTrue();
            assertThat(input.forwarded()).isZero();
            assertThat(input.dropped()).isEqualTo(2);
        }
        try (QmpClient qmp = QmpClient.connect(real.sock, WAIT); Peer peer = display(qmp);
                QemuInput input = new QemuInput("qemu-test", 0, (level, message) -> { })) {
            input.connected(peer.connection()::getRemoteObject);
            input.key('x', true);
            input.key('x', false);
            assertThat(input.drain(WAIT.toMillis())).isTrue();
            input.disconnected();
            input.key('y', true);
            assertThat(input.drain(WAIT.toMillis())).isTrue();
            assertThat(input.forwarded()).isEqualTo(2);
            assertThat(input.dropped()).isEqualTo(1);
            assertThat(awaitTrace(KEY, 2)).containsExactly("x 1", "x 0");
        }
    }

    /** The methods (name to "type name, ...") and properties ("@name" to type) of one interface in introspection XML. */
    static Map<String, String> methods(String xml, String iface) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        var doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Map<String, String> out = new TreeMap<>();
        NodeList interfaces = doc.getElementsByTagName("interface");
        for (int i = 0; i < interfaces.getLength(); i++) {
            Element e = (Element) interfaces.item(i);
            if (!e.getAttribute("name").equals(iface)) {
                continue;
            }
            NodeList ms = e.getElementsByTagName("method");
            for (int m = 0; m < ms.getLength(); m++) {
                Element method = (Element) ms.item(m);
                List<String> args = new ArrayList<>();
                NodeList as = method.getElementsByTagName("arg");
                for (int a = 0; a < as.getLength(); a++) {
                    Element arg = (Element) as.item(a);
                    args.add(arg.getAttribute("type") + " " + arg.getAttribute("name"));
                }
                out.put(method.getAttribute("name"), String.join(", ", args));
            }
            NodeList ps = e.getElementsByTagName("property");
            for (int p = 0; p < ps.getLength(); p++) {
                Element prop = (Element) ps.item(p);
                out.put("@" + prop.getAttribute("name"), prop.getAttribute("type"));
            }
        }
        return out;
    }

    /** Waits (generously) until QEMU's log has {@code count} lines of the trace event; returns "name down" of each. */
    List<String> awaitTrace(Pattern event, int count) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        List<String> got = List.of();
        while (System.nanoTime() < end) {
            got = values(event, Files.readString(dir.resolve("qemu.log")));
            if (got.size() >= count) {
                return got;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return got;
    }

    static List<String> values(Pattern event, String log) {
        List<String> out = new ArrayList<>();
        Matcher m = event.matcher(log);
        while (m.find()) {
            out.add(m.group(1) + " " + m.group(2));
        }
        return out;
    }

    static String hex(int v) {
        return "0x" + Integer.toHexString(v);
    }
}
