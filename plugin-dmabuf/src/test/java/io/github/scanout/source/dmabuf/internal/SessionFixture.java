package io.github.scanout.source.dmabuf.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.core.Devices;
import io.github.scanout.sim.CountingDevice;
import io.github.scanout.sim.ScriptedDevice;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDevices;
import io.github.scanout.testsupport.RecordingReporter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;

/** Test fixture: opens simulated devices through core and sessions on them; closes everything after. */
abstract class SessionFixture {
    final RecordingReporter reporter = new RecordingReporter();
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final List<AutoCloseable> toClose = new ArrayList<>();
    SimDevice sim;
    ScriptedDevice scripted;
    CountingDevice device;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (sim != null) {
            org.assertj.core.api.Assertions.assertThat(sim.violations()).as("driver rules broken").isEmpty();
        }
    }

    /** Creates the device of a {@code sim:} spec and opens it through core (with a script layer). */
    <T extends SimDevice> T open(String spec) throws DeviceException {
        @SuppressWarnings("unchecked")
        T d = (T) SimDevices.create(spec);
        return open(d);
    }

    <T extends SimDevice> T open(T d) throws DeviceException {
        sim = d;
        scripted = new ScriptedDevice(d);
        device = new CountingDevice(new Devices().open(scripted));
        toClose.add(device);
        return d;
    }

    DmaBufSession session(DmaBufSettings settings) {
        DmaBufSession s = new DmaBufSession(device, settings, reporter, clock::get);
        toClose.add(s);
        return s;
    }

    DmaBufSession session() {
        return session(DmaBufSettings.defaults());
    }

    /** A poll that must give a buffer. */
    static PlaneBuffer poll(DmaBufSession s, PlaneType plane, boolean consistent) throws DeviceException {
        return s.acquire(plane, consistent).orElseThrow(() -> new AssertionError("no " + plane + " buffer"));
    }

    static int[] argb(PlaneBuffer b) {
        return PixelConverter.toArgb(b.info(), b.pixels());
    }

    /** Lines the reporter got that contain {@code text}. */
    long lines(String text) {
        return reporter.lines().stream().filter(l -> l.contains(text)).count();
    }
}
