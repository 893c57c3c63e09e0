package com.example.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.buffer.MemoryKind;
import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.api.pixels.PixelConverter;
import io.github.scanout.api.source.PlaneSession;
import io.github.scanout.core.Devices;
import io.github.scanout.sim.ExtendedDevice;
import io.github.scanout.sim.ScriptedDevice;
import io.github.scanout.sim.SimDevice;
import io.github.scanout.sim.SimDevices;
import org.junit.jupiter.api.Test;

/** The ring source on a simulated mdpy that offers rings, through Scanout's own decoding and validation. */
class RingPlaneSourceTest {
    final RingPlaneSource source = new RingPlaneSource();
    final Devices devices = new Devices();

    @Test
    void readsTheCurrentSlotAsTheGuestDrawsRoundTheRing() throws Exception {
        SimDevice guest = SimDevices.create("sim:mdpy-vga");
        try (GfxDevice device = devices.open(ExtendedDevice.of(guest, new RingPlaneSource.Simulated()));
                PlaneSession session = source.open(device)) {
            assertThat(source.probe(device)).isTrue();
            for (int i = 0; i < 4; i++) { // once round the three slots and into the first again
                guest.drawNextFrame();
                try (PlaneBuffer b = session.acquire(PlaneType.PRIMARY, true).orElseThrow()) {
                    assertThat(b.info().bufferId()).isEqualTo(20 << 16 | guest.frame() % 3);
                    assertThat(b.memory()).isEqualTo(MemoryKind.SNAPSHOT);
                    assertThat(PixelConverter.toArgb(b.info(), b.pixels())).isEqualTo(guest.pixels());
                }
            }
            assertThat(session.acquire(PlaneType.CURSOR, true)).isEmpty();
        }
        assertThat(guest.liveFds()).as("fds left open").isZero();
    }

    @Test
    void aDeviceWithoutRingsIsNotProbedAsOne() throws Exception {
        try (GfxDevice device = devices.open(SimDevices.create("sim:mdpy-vga"))) {
            assertThat(source.probe(device)).isFalse();
        }
    }

    @Test
    void aSlotOutsideTheRegionIsRefusedWithTheNumbers() throws Exception {
        ScriptedDevice hostile = new ScriptedDevice(ExtendedDevice.of(SimDevices.create("sim:mdpy-vga"),
                new RingPlaneSource.Simulated()));
        hostile.planes((plane, answer) -> answer.bufferId = 20 << 16 | 999);
        try (GfxDevice device = devices.open(hostile); PlaneSession session = source.open(device)) {
            assertThatThrownBy(() -> session.acquire(PlaneType.PRIMARY, true))
                    .isInstanceOf(DeviceException.class)
                    .hasMessage("sim:mdpy-vga: ring slot 999 (1228800 bytes each) lies outside region 20 (49152000 bytes): EINVAL");
        }
    }

    @Test
    void ringSpecsNameSimulatedDevicesWithRings() throws Exception {
        assertThat(source.resolve("ring:mdpy-xga")).isSameAs(source.resolve("ring:mdpy-xga"));
        assertThatThrownBy(() -> source.resolve("ring:nope")).isInstanceOf(DeviceException.class)
                .hasMessageStartingWith("ring:nope: ");
    }
}
