package io.github.scanout.core.internal.vfio;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.DeviceInfo;
import io.github.scanout.api.device.RegionInfo;
import io.github.scanout.api.device.RegionInfo.SparseArea;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every struct's bytes at the offsets of docs/abi.md, written out literally. */
class StructLayoutTest {

    private static ByteBuffer le(ByteBuffer b) {
        return b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void planeInfoEncodesEveryFieldAtItsAbiOffset() {
        RawPlaneInfo raw = new RawPlaneInfo(0x11111101L, 0x22222202L, 0x33333303L, 0x44444404L, 0x5555555555555505L,
                0x66666606L, 0x77777707L, 0x88888808L, 0x99999909L, 0xAAAAAA0AL, 0xBBBBBB0BL, 0xCCCCCC0CL, 0xDDDDDD0DL,
                0xEEEEEE0EL);
        ByteBuffer b = le(GfxPlaneInfoCodec.encode(raw));

        assertThat(b.capacity()).isEqualTo(64);
        assertThat(b.getInt(0)).isEqualTo(0x11111101);
        assertThat(b.getInt(4)).isEqualTo(0x22222202);
        assertThat(b.getInt(8)).isEqualTo(0x33333303);
        assertThat(b.getInt(12)).isEqualTo(0x44444404);
        assertThat(b.getLong(16)).isEqualTo(0x5555555555555505L);
        assertThat(b.getInt(24)).isEqualTo(0x66666606);
        assertThat(b.getInt(28)).isEqualTo(0x77777707);
        assertThat(b.getInt(32)).isEqualTo(0x88888808);
        assertThat(b.getInt(36)).isEqualTo(0x99999909);
        assertThat(b.getInt(40)).isEqualTo(0xAAAAAA0A);
        assertThat(b.getInt(44)).isEqualTo(0xBBBBBB0B);
        assertThat(b.getInt(48)).isEqualTo(0xCCCCCC0C);
        assertThat(b.getInt(52)).isEqualTo(0xDDDDDD0D);
        assertThat(b.getInt(56)).isEqualTo(0xEEEEEE0E);
        assertThat(b.getInt(60)).isZero();
        // little-endian: the low byte of argsz comes first
        assertThat(b.get(0)).isEqualTo((byte) 0x01);
        assertThat(b.get(16)).isEqualTo((byte) 0x05);

        assertThat(GfxPlaneInfoCodec.decode(b)).isEqualTo(raw);
    }

    @Test
    void planeInfoDecodingIgnoresTheReservedWord() {
        ByteBuffer b = le(GfxPlaneInfoCodec.encode(new RawPlaneInfo(64, 2, 1, 0x34325258L, 0, 8, 8, 32, 4096, 0, 0, 0, 0, 7)));
        RawPlaneInfo before = GfxPlaneInfoCodec.decode(b);
        b.putInt(60, 0xDEADBEEF);
        assertThat(GfxPlaneInfoCodec.decode(b)).isEqualTo(before);
        // a 60-byte answer (what drivers copy back) decodes too
        ByteBuffer short60 = ByteBuffer.allocate(60);
        short60.put(b.duplicate().limit(60));
        assertThat(GfxPlaneInfoCodec.decode(short60)).isEqualTo(before);
    }

    @Test
    void planeQueryIsZeroedWithArgszFlagsAndPlaneType() {
        ByteBuffer q = le(GfxPlaneInfoCodec.query(Vfio.GFX_PLANE_TYPE_PROBE | Vfio.GFX_PLANE_TYPE_DMABUF, PlaneType.CURSOR));
        assertThat(q.capacity()).isEqualTo(64);
        assertThat(q.getInt(0)).isEqualTo(64);
        assertThat(q.getInt(4)).isEqualTo(3);
        assertThat(q.getInt(8)).isEqualTo(2);
        for (int i = 12; i < 64; i++) {
            assertThat(q.get(i)).as("byte %d", i).isZero();
        }
    }

    @Test
    void decodingReadsBigEndianBuffersAsLittleEndianToo() {
        ByteBuffer b = GfxPlaneInfoCodec.encode(new RawPlaneInfo(64, 4, 1, 0x34325258L, 0, 1024, 768, 4096, 4194304, 0, 0, 0, 0, 16));
        b.order(ByteOrder.BIG_ENDIAN);
        assertThat(GfxPlaneInfoCodec.decode(b).width()).isEqualTo(1024);
    }

    @Test
    void regionInfoHeaderOffsets() {
        ByteBuffer b = le(RegionInfoCodec.query(16, 32));
        assertThat(b.capacity()).isEqualTo(32);
        assertThat(b.getInt(0)).isEqualTo(32);
        assertThat(b.getInt(8)).isEqualTo(16);

        RegionInfoCodec.putHeader(b, 0x01010101L, 0x02020202, 0x03030303, 0x04040404L, 0x0505050505050505L, 0x0606060606060606L);
        assertThat(b.getInt(0)).isEqualTo(0x01010101);
        assertThat(b.getInt(4)).isEqualTo(0x02020202);
        assertThat(b.getInt(8)).isEqualTo(0x03030303);
        assertThat(b.getInt(12)).isEqualTo(0x04040404);
        assertThat(b.getLong(16)).isEqualTo(0x0505050505050505L);
        assertThat(b.getLong(24)).isEqualTo(0x0606060606060606L);
    }

    @Test
    void capabilityLayouts() {
        ByteBuffer b = le(ByteBuffer.allocate(128));
        RegionInfoCodec.putTypeCap(b, 32, 48, 0x0A0B0C0D, 0x01020304);
        assertThat(b.getShort(32)).isEqualTo((short) 2);
        assertThat(b.getShort(34)).isEqualTo((short) 1);
        assertThat(b.getInt(36)).isEqualTo(48);
        assertThat(b.getInt(40)).isEqualTo(0x0A0B0C0D);
        assertThat(b.getInt(44)).isEqualTo(0x01020304);

        RegionInfoCodec.putSparseCap(b, 48, 0, List.of(new SparseArea(0x1111, 0x2222), new SparseArea(0x3333, 0x4444)));
        assertThat(b.getShort(48)).isEqualTo((short) 1);
        assertThat(b.getInt(52)).isZero();
        assertThat(b.getInt(56)).isEqualTo(2);
        assertThat(b.getInt(60)).isZero();
        assertThat(b.getLong(64)).isEqualTo(0x1111);
        assertThat(b.getLong(72)).isEqualTo(0x2222);
        assertThat(b.getLong(80)).isEqualTo(0x3333);
        assertThat(b.getLong(88)).isEqualTo(0x4444);
    }

    @Test
    void deviceInfoOffsetsAndBothSizes() throws Exception {
        ByteBuffer q = le(DeviceInfoCodec.query());
        assertThat(q.capacity()).isEqualTo(24);
        assertThat(q.getInt(0)).isEqualTo(24);
        assertThat(le(DeviceInfoCodec.query(20)).getInt(0)).isEqualTo(20);

        ByteBuffer a = le(DeviceInfoCodec.encode(20, new DeviceInfo(0x0A, 0x0B, 0x0C)));
        assertThat(a.getInt(4)).isEqualTo(0x0A);
        assertThat(a.getInt(8)).isEqualTo(0x0B);
        assertThat(a.getInt(12)).isEqualTo(0x0C);
        assertThat(DeviceInfoCodec.decode(a)).isEqualTo(new DeviceInfo(0x0A, 0x0B, 0x0C));
    }

    @Test
    void groupStatusOffsets() {
        ByteBuffer q = le(GroupStatusCodec.query());
        assertThat(q.capacity()).isEqualTo(8);
        assertThat(q.getInt(0)).isEqualTo(8);
        q.putInt(4, Vfio.GROUP_FLAGS_VIABLE | Vfio.GROUP_FLAGS_CONTAINER_SET);
        assertThat(GroupStatusCodec.flags(q)).isEqualTo(3);
    }

    @Test
    void edidRegisterOffsets() {
        assertThat(GfxEdidLayout.EDID_OFFSET).isEqualTo(0);
        assertThat(GfxEdidLayout.EDID_MAX_SIZE).isEqualTo(4);
        assertThat(GfxEdidLayout.EDID_SIZE).isEqualTo(8);
        assertThat(GfxEdidLayout.MAX_XRES).isEqualTo(12);
        assertThat(GfxEdidLayout.MAX_YRES).isEqualTo(16);
        assertThat(GfxEdidLayout.LINK_STATE).isEqualTo(20);
        assertThat(GfxEdidLayout.SIZE).isEqualTo(Vfio.GFX_EDID_SIZE);
    }

    @Test
    void iommufdStructs() {
        ByteBuffer bind = le(IommufdStructs.bind(0x77));
        assertThat(bind.capacity()).isEqualTo(24);
        assertThat(bind.getInt(0)).isEqualTo(24);
        assertThat(bind.getInt(4)).isZero();
        assertThat(bind.getInt(8)).isEqualTo(0x77);
        assertThat(bind.getInt(12)).isZero();
        assertThat(bind.getLong(16)).isZero();
        bind.putInt(12, 5);
        assertThat(IommufdStructs.boundDevid(bind)).isEqualTo(5);

        ByteBuffer alloc = le(IommufdStructs.ioasAlloc());
        assertThat(alloc.capacity()).isEqualTo(12);
        assertThat(alloc.getInt(0)).isEqualTo(12);
        assertThat(alloc.getInt(4)).isZero();
        alloc.putInt(8, 9);
        assertThat(IommufdStructs.ioasId(alloc)).isEqualTo(9);

        ByteBuffer attach = le(IommufdStructs.attach(9));
        assertThat(attach.capacity()).isEqualTo(16);
        assertThat(attach.getInt(0)).isEqualTo(16);
        assertThat(attach.getInt(4)).isZero();
        assertThat(attach.getInt(8)).isEqualTo(9);
        assertThat(attach.getInt(12)).isZero();
    }

    @Test
    void ioctlNumbersAreUnderscoreIoSemicolonHundredPlusN() {
        // _IO(';', 100 + n) = 0x3B00 | (100 + n): no size or direction bits
        assertThat(Vfio.GET_API_VERSION).isEqualTo(0x3B00 | 100);
        assertThat(Vfio.GROUP_GET_DEVICE_FD).isEqualTo(0x3B00 | 106);
        assertThat(Vfio.DEVICE_GET_REGION_INFO).isEqualTo(0x3B00 | 108);
        assertThat(Vfio.DEVICE_QUERY_GFX_PLANE).isEqualTo(0x3B00 | 114);
        assertThat(Vfio.DEVICE_GET_GFX_DMABUF).isEqualTo(0x3B00 | 115);
        assertThat(Vfio.DEVICE_BIND_IOMMUFD).isEqualTo(0x3B00 | 118);
        assertThat(Vfio.DEVICE_ATTACH_IOMMUFD_PT).isEqualTo(0x3B00 | 119);
        // iommufd: _IO(';', 0x80 + 1)
        assertThat(Vfio.IOMMU_IOAS_ALLOC).isEqualTo(0x3B81);
    }

    @Test
    void regionInfoWithoutCapsDecodesItsHeader() throws Exception {
        ByteBuffer b = RegionInfoCodec.query(16, 32);
        RegionInfoCodec.putHeader(b, 32, Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_MMAP, 16, 0, 4 << 20, 0x1000);
        RegionInfo r = RegionInfoCodec.decode(b, 16, "region 16 of test");
        assertThat(r.size()).isEqualTo(4 << 20);
        assertThat(r.offset()).isEqualTo(0x1000);
        assertThat(r.readable()).isTrue();
        assertThat(r.writable()).isFalse();
        assertThat(r.mappable()).isTrue();
        assertThat(r.type()).isEmpty();
    }
}
