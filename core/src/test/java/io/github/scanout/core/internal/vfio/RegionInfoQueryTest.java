package io.github.scanout.core.internal.vfio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.device.RegionInfo;
import io.github.scanout.api.device.RegionInfo.SparseArea;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GET_REGION_INFO with its argsz handshake and a capability chain that may be hostile. */
@Timeout(10)
class RegionInfoQueryTest {

    static final int FD = 42;
    static final int RWM = Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE | Vfio.REGION_INFO_FLAG_MMAP;

    final Kernel kernel = mock(Kernel.class);
    final List<Integer> argszSeen = new ArrayList<>();

    /**
     * Answers like a vfio-pci style driver: a chain of {@code chainBytes} bytes built by
     * {@code writer} (which gets a buffer whose index 0 is the struct start) fits when argsz
     * >= 32 + chainBytes, else argsz is raised and cap_offset is 0.
     */
    void answer(int chainBytes, long size, Consumer<ByteBuffer> writer) throws Exception {
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class))).thenAnswer(inv -> {
            ByteBuffer b = inv.getArgument(2);
            ByteBuffer l = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int argsz = l.getInt(0);
            argszSeen.add(argsz);
            int index = l.getInt(8);
            int need = 32 + chainBytes;
            int flags = RWM | (chainBytes > 0 ? Vfio.REGION_INFO_FLAG_CAPS : 0);
            if (chainBytes > 0 && argsz < need) {
                RegionInfoCodec.putHeader(l, need, flags, index, 0, size, 0x3000);
            } else {
                RegionInfoCodec.putHeader(l, argsz, flags, index, chainBytes > 0 ? 32 : 0, size, 0x3000);
                if (chainBytes > 0) {
                    writer.accept(l);
                }
            }
            return 0;
        });
    }

    RegionInfo query() throws DeviceException {
        return RegionInfoQuery.query(kernel, FD, 9, "test-dev");
    }

    @Test
    void noCapabilitiesIsOneQuery() throws Exception {
        answer(0, 4 << 20, b -> {});
        RegionInfo r = query();
        assertThat(r.index()).isEqualTo(9);
        assertThat(r.size()).isEqualTo(4 << 20);
        assertThat(r.offset()).isEqualTo(0x3000);
        assertThat(r.type()).isEmpty();
        assertThat(r.sparseAreas()).isEmpty();
        assertThat(argszSeen).containsExactly(32);
    }

    @Test
    void typeCapabilityAfterArgszWasRaised() throws Exception {
        answer(16, 0x1000, b -> RegionInfoCodec.putTypeCap(b, 32, 0, Vfio.REGION_TYPE_GFX, Vfio.REGION_SUBTYPE_GFX_EDID));
        RegionInfo r = query();
        assertThat(argszSeen).containsExactly(32, 48);
        assertThat(r.type()).contains(new RegionInfo.RegionType(1, 1));
        assertThat(r.type().orElseThrow().isEdid()).isTrue();
        verify(kernel, times(2)).ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class));
    }

    @Test
    void sparseAndUnknownCapabilities() throws Exception {
        answer(16 + 32 + 8 + 16, 1 << 20, b -> {
            RegionInfoCodec.putSparseCap(b, 32, 80, List.of(new SparseArea(0, 0x1000), new SparseArea(0x8000, 0x2000)));
            RegionInfoCodec.putCapHeader(b, 80, 77, 1, 88);
            RegionInfoCodec.putTypeCap(b, 88, 0, 3, 4);
        });
        RegionInfo r = query();
        assertThat(r.sparseAreas()).containsExactly(new SparseArea(0, 0x1000), new SparseArea(0x8000, 0x2000));
        assertThat(r.unknownCapabilities()).containsExactly(77);
        assertThat(r.type()).contains(new RegionInfo.RegionType(3, 4));
    }

    @Test
    void ioctlErrnoIsKept() throws Exception {
        when(kernel.ioctl(anyInt(), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class)))
                .thenThrow(new DeviceException("ioctl", Errno.EINVAL.number()));
        assertThatThrownBy(this::query).isInstanceOfSatisfying(DeviceException.class,
                e -> assertThat(e.is(Errno.EINVAL)).isTrue()).hasMessageContaining("region 9 of test-dev");
    }

    // ---- hostile chains: always a DeviceException with a clear message, never a hang

    @Test
    void nextPointingBackwardsIsRefused() throws Exception {
        answer(32, 0x1000, b -> {
            RegionInfoCodec.putCapHeader(b, 32, 99, 1, 48);
            RegionInfoCodec.putCapHeader(b, 48, 98, 1, 32);
        });
        assertThatThrownBy(this::query).isExactlyInstanceOf(DeviceException.class)
                .hasMessageContaining("region 9 of test-dev").hasMessageContaining("offset 32")
                .hasMessageContaining("backwards or loops");
    }

    @Test
    void nextPointingAtItselfIsRefused() throws Exception {
        answer(16, 0x1000, b -> RegionInfoCodec.putCapHeader(b, 32, 99, 1, 32));
        assertThatThrownBy(this::query).isExactlyInstanceOf(DeviceException.class).hasMessageContaining("backwards or loops");
    }

    @Test
    void capabilityOutsideArgszIsRefused() throws Exception {
        answer(16, 0x1000, b -> RegionInfoCodec.putCapHeader(b, 32, 99, 1, 4000));
        assertThatThrownBy(this::query).isExactlyInstanceOf(DeviceException.class)
                .hasMessageContaining("offset 4000").hasMessageContaining("outside argsz 48");
    }

    @Test
    void capOffsetInsideTheFixedStructIsRefused() throws Exception {
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class))).thenAnswer(inv -> {
            ByteBuffer b = inv.getArgument(2);
            RegionInfoCodec.putHeader(b, 32, RWM | Vfio.REGION_INFO_FLAG_CAPS, 9, 8, 0x1000, 0);
            return 0;
        });
        assertThatThrownBy(this::query).isExactlyInstanceOf(DeviceException.class).hasMessageContaining("inside the fixed");
    }

    @Test
    void typeCapabilityCutShortIsRefused() throws Exception {
        answer(8, 0x1000, b -> RegionInfoCodec.putCapHeader(b, 32, Vfio.REGION_INFO_CAP_TYPE, 1, 0));
        assertThatThrownBy(this::query).isExactlyInstanceOf(DeviceException.class)
                .hasMessageContaining("type capability at offset 32 needs 16 bytes but argsz is 40");
    }

    @Test
    void tooManyCapabilitiesAreRefused() throws Exception {
        int caps = RegionInfoCodec.MAX_CAPS + 1;
        answer(caps * 8, 0x1000, b -> {
            for (int i = 0; i < caps; i++) {
                int at = 32 + 8 * i;
                RegionInfoCodec.putCapHeader(b, at, 100 + i, 1, i == caps - 1 ? 0 : at + 8);
            }
        });
        assertThatThrownBy(this::query).isExactlyInstanceOf(DeviceException.class).hasMessageContaining("more than 16");
    }

    @Test
    void sparseAreaCountLargerThanTheBufferIsRefused() throws Exception {
        answer(16 + 16, 0x10000, b -> {
            RegionInfoCodec.putSparseCap(b, 32, 0, List.of(new SparseArea(0, 0x1000)));
            b.putInt(32 + RegionInfoCodec.SPARSE_NR_AREAS, 0x7FFFFFFF);
        });
        assertThatThrownBy(this::query).isExactlyInstanceOf(DeviceException.class)
                .hasMessageContaining("nr_areas 2147483647").hasMessageContaining("room for 1");
    }

    @Test
    void sparseAreaOutsideTheRegionIsRefused() throws Exception {
        answer(32, 0x1000, b -> RegionInfoCodec.putSparseCap(b, 32, 0, List.of(new SparseArea(0x800, 0x1000))));
        assertThatThrownBy(this::query).isExactlyInstanceOf(DeviceException.class).hasMessageContaining("outside the region");
    }

    @Test
    void argszAboveTheLimitIsRefused() throws Exception {
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class))).thenAnswer(inv -> {
            ByteBuffer b = inv.getArgument(2);
            RegionInfoCodec.putHeader(b, 0xFFFF_FFF0L, RWM | Vfio.REGION_INFO_FLAG_CAPS, 9, 0, 0x1000, 0);
            return 0;
        });
        assertThatThrownBy(this::query).isExactlyInstanceOf(DeviceException.class)
                .hasMessageContaining("argsz 4294967280").hasMessageContaining("65536");
    }

    @Test
    void argszRaisedForeverIsRefused() throws Exception {
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class))).thenAnswer(inv -> {
            ByteBuffer b = inv.getArgument(2);
            long argsz = RegionInfoCodec.argsz(b);
            RegionInfoCodec.putHeader(b, argsz + 8, RWM | Vfio.REGION_INFO_FLAG_CAPS, 9, 0, 0x1000, 0);
            return 0;
        });
        assertThatThrownBy(this::query).isExactlyInstanceOf(DeviceException.class).hasMessageContaining("raised argsz again");
        verify(kernel, times(RegionInfoQuery.MAX_QUERIES)).ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class));
    }

    @Test
    void regionSizeAbove2To63IsRefused() throws Exception {
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class))).thenAnswer(inv -> {
            ByteBuffer b = inv.getArgument(2);
            RegionInfoCodec.putHeader(b, 32, RWM, 9, 0, -1L, 0);
            return 0;
        });
        assertThatThrownBy(this::query).isExactlyInstanceOf(DeviceException.class).hasMessageContaining("out of range");
    }
}
