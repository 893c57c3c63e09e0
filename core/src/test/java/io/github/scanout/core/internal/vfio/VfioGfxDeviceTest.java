package io.github.scanout.core.internal.vfio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.scanout.api.BufferType;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.DrmFormat;
import io.github.scanout.api.Errno;
import io.github.scanout.api.InvalidPlaneException;
import io.github.scanout.api.PlaneInfo;
import io.github.scanout.api.PlaneType;
import io.github.scanout.api.device.DeviceInfo;
import io.github.scanout.api.device.DmaBuf;
import io.github.scanout.api.device.EdidRegion;
import io.github.scanout.api.device.MappedMemory;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Linux;
import io.github.scanout.api.kernel.Mapping;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The typed device over a mocked kernel: struct traffic, validation, fds closed on every path. */
class VfioGfxDeviceTest {

    static final int FD = 10;
    static final int DMA_FD = 77;
    static final int RWM = Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE | Vfio.REGION_INFO_FLAG_MMAP;

    record Region(int flags, long size, long offset, boolean edid) {}

    final Kernel kernel = mock(Kernel.class);
    final AutoCloseable owner = mock(AutoCloseable.class);
    final Map<Integer, Region> regions = new HashMap<>();
    final List<ByteBuffer> planeQueries = new ArrayList<>();
    RawPlaneInfo answer;
    byte[] regionMemory = new byte[0];

    @BeforeEach
    void setUp() throws Exception {
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_GET_INFO), any(ByteBuffer.class))).thenAnswer(inv -> {
            ByteBuffer b = inv.getArgument(2);
            b.duplicate().clear().put(DeviceInfoCodec.encode(24, new DeviceInfo(Vfio.DEVICE_FLAGS_PCI | Vfio.DEVICE_FLAGS_RESET, 9, 1)));
            return 0;
        });
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class))).thenAnswer(inv -> {
            ByteBuffer b = inv.<ByteBuffer>getArgument(2).duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int index = b.getInt(8);
            Region r = regions.get(index);
            if (r == null) {
                throw new DeviceException("ioctl", Errno.EINVAL.number());
            }
            int argsz = b.getInt(0);
            if (r.edid && argsz < 48) {
                RegionInfoCodec.putHeader(b, 48, r.flags | Vfio.REGION_INFO_FLAG_CAPS, index, 0, r.size, r.offset);
            } else if (r.edid) {
                RegionInfoCodec.putHeader(b, argsz, r.flags | Vfio.REGION_INFO_FLAG_CAPS, index, 32, r.size, r.offset);
                RegionInfoCodec.putTypeCap(b, 32, 0, Vfio.REGION_TYPE_GFX, Vfio.REGION_SUBTYPE_GFX_EDID);
            } else {
                RegionInfoCodec.putHeader(b, argsz, r.flags, index, 0, r.size, r.offset);
            }
            return 0;
        });
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_QUERY_GFX_PLANE), any(ByteBuffer.class))).thenAnswer(inv -> {
            ByteBuffer b = inv.getArgument(2);
            ByteBuffer copy = ByteBuffer.allocate(b.capacity());
            copy.put(b.duplicate().clear());
            planeQueries.add(copy);
            if (answer != null) {
                GfxPlaneInfoCodec.encodeInto(answer, b);
            }
            return 0;
        });
    }

    VfioGfxDevice device() throws DeviceException {
        return VfioGfxDevice.open(kernel, FD, "test-dev", owner);
    }

    static RawPlaneInfo dmabufPlane(long id) {
        return PlaneValidatorTest.primary().id(id).raw();
    }

    // ---- open and close

    @Test
    void openReadsDeviceInfo() throws Exception {
        VfioGfxDevice d = device();
        assertThat(d.info()).isEqualTo(new DeviceInfo(Vfio.DEVICE_FLAGS_PCI | Vfio.DEVICE_FLAGS_RESET, 9, 1));
        assertThat(d.name()).isEqualTo("test-dev");
    }

    @Test
    void failedGetInfoClosesTheFdAndItsOwner() throws Exception {
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_GET_INFO), any(ByteBuffer.class)))
                .thenThrow(new DeviceException("ioctl", Errno.ENOTTY.number()));
        assertThatThrownBy(this::device).isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.ENOTTY)).isTrue())
                .hasMessageContaining("VFIO_DEVICE_GET_INFO on test-dev");
        verify(kernel).close(FD);
        verify(owner).close();
    }

    @Test
    void closeIsIdempotentAndClosesFdThenOwner() throws Exception {
        VfioGfxDevice d = device();
        d.close();
        d.close();
        var order = org.mockito.Mockito.inOrder(kernel, owner);
        order.verify(kernel).close(FD);
        order.verify(owner).close();
        verify(kernel, times(1)).close(FD);
        assertThatThrownBy(() -> d.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.is(Errno.EBADF)).isTrue())
                .hasMessageContaining("test-dev is closed");
    }

    // ---- probe and query

    @Test
    void probeAsksWithProbeFlagAndAnswersEinvalAsUnsupported() throws Exception {
        VfioGfxDevice d = device();
        assertThat(d.probe(BufferType.DMABUF)).isTrue();
        ByteBuffer q = planeQueries.get(0).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(q.getInt(0)).isEqualTo(64);
        assertThat(q.getInt(4)).isEqualTo(Vfio.GFX_PLANE_TYPE_PROBE | Vfio.GFX_PLANE_TYPE_DMABUF);
        assertThat(q.getInt(8)).isEqualTo(1);

        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_QUERY_GFX_PLANE), any(ByteBuffer.class)))
                .thenThrow(new DeviceException("ioctl", Errno.EINVAL.number()));
        assertThat(d.probe(BufferType.REGION)).isFalse();
    }

    @Test
    void probeErrorsOtherThanEinvalAreThrown() throws Exception {
        VfioGfxDevice d = device();
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_QUERY_GFX_PLANE), any(ByteBuffer.class)))
                .thenThrow(new DeviceException("ioctl", Errno.ENODEV.number()));
        assertThatThrownBy(() -> d.probe(BufferType.DMABUF)).isInstanceOfSatisfying(DeviceException.class,
                e -> assertThat(e.isGone()).isTrue()).hasMessageContaining("probing dmabuf planes of test-dev");
    }

    @Test
    void queryPlaneEncodesDecodesAndValidates() throws Exception {
        answer = dmabufPlane(5);
        PlaneInfo p = device().queryPlane(BufferType.DMABUF, PlaneType.PRIMARY).orElseThrow();
        assertThat(p.format()).isEqualTo(DrmFormat.XRGB8888);
        assertThat(p.bufferId()).isEqualTo(5);
        ByteBuffer q = planeQueries.get(0).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(q.getInt(4)).isEqualTo(Vfio.GFX_PLANE_TYPE_DMABUF);
        assertThat(q.getInt(8)).isEqualTo(1);
    }

    @Test
    void queryPlaneRejectsWhatTheValidatorRejects() throws Exception {
        answer = PlaneValidatorTest.primary().format(DrmFormat.C8.fourcc()).raw();
        assertThatThrownBy(() -> device().queryPlane(BufferType.DMABUF, PlaneType.PRIMARY))
                .isInstanceOf(InvalidPlaneException.class).hasMessageContaining("C8");
    }

    @Test
    void transientQueryErrorsKeepTheirErrno() throws Exception {
        VfioGfxDevice d = device();
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_QUERY_GFX_PLANE), any(ByteBuffer.class)))
                .thenThrow(new DeviceException("ioctl", Errno.ENOMEM.number()));
        assertThatThrownBy(() -> d.queryPlane(BufferType.DMABUF, PlaneType.PRIMARY))
                .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessage("querying the primary plane (dmabuf) of test-dev: ENOMEM");
    }

    @Test
    void regionPlaneMustFitItsRegion() throws Exception {
        regions.put(16, new Region(RWM, 2 << 20, 0x1000, false));
        answer = PlaneValidatorTest.primary().flags(4).size(4 << 20).id(16).raw();
        assertThatThrownBy(() -> device().queryPlane(BufferType.REGION, PlaneType.PRIMARY))
                .isInstanceOfSatisfying(InvalidPlaneException.class, e -> assertThat(e.field()).isEqualTo("size"))
                .hasMessageContaining("size = 4194304").hasMessageContaining("region 16 (2097152 bytes)");
    }

    @Test
    void answersAreComparedOverTheir60BytesAndEveryOneCounts() {
        ByteBuffer a = ByteBuffer.allocateDirect(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = ByteBuffer.allocate(60).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 60; i++) {
            a.put(i, (byte) (i * 7 + 1));
            b.put(i, (byte) (i * 7 + 1));
        }
        a.put(62, (byte) 9); // past the answer: padding, not compared
        assertThat(VfioGfxDevice.sameAnswer(a, b)).isTrue();
        for (int i = 0; i < 60; i++) {
            b.put(i, (byte) (b.get(i) ^ 0x10));
            assertThat(VfioGfxDevice.sameAnswer(a, b)).as("byte " + i + " differs").isFalse();
            b.put(i, (byte) (b.get(i) ^ 0x10));
        }
        assertThatThrownBy(() -> VfioGfxDevice.sameAnswer(a, b.duplicate()))
                .as("a duplicate is big-endian: its longs would never match").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnchangedAnswerIsNotDecodedAgainAndItsRegionIsQueriedOnceUntilAReset() throws Exception {
        regions.put(16, new Region(RWM, 8 << 20, 0x1000, false));
        answer = PlaneValidatorTest.primary().flags(4).size(4 << 20).id(16).raw();
        VfioGfxDevice d = device();
        PlaneInfo first = d.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElseThrow();
        PlaneInfo again = d.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElseThrow();
        assertThat(again).isSameAs(first);
        // every poll is a fresh query: the device's own argument memory, zeroed and filled in each time
        assertThat(planeQueries).hasSize(2).allSatisfy(q -> assertThat(q.clear())
                .isEqualTo(GfxPlaneInfoCodec.query(BufferType.REGION.flag(), PlaneType.PRIMARY).clear()));
        verify(kernel, times(1)).ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class));

        // a changed answer is decoded and validated again (against the region known already)
        answer = PlaneValidatorTest.primary().flags(4).size(6 << 20).id(16).raw();
        assertThat(d.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElseThrow().size()).isEqualTo(6 << 20);
        answer = PlaneValidatorTest.primary().flags(4).size(10 << 20).id(16).raw();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> d.queryPlane(BufferType.REGION, PlaneType.PRIMARY))
                    .isInstanceOfSatisfying(InvalidPlaneException.class, e -> assertThat(e.field()).isEqualTo("size"));
        }
        verify(kernel, times(1)).ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class));
        // back to the first answer: still valid
        answer = PlaneValidatorTest.primary().flags(4).size(4 << 20).id(16).raw();
        assertThat(d.queryPlane(BufferType.REGION, PlaneType.PRIMARY).orElseThrow()).isEqualTo(first);

        // a reset forgets what the regions were
        regions.put(16, new Region(RWM, 2 << 20, 0x1000, false));
        d.reset();
        assertThatThrownBy(() -> d.queryPlane(BufferType.REGION, PlaneType.PRIMARY))
                .isInstanceOfSatisfying(InvalidPlaneException.class, e -> assertThat(e.field()).isEqualTo("size"))
                .hasMessageContaining("region 16 (2097152 bytes)");
        verify(kernel, times(2)).ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class));
    }

    @Test
    void regionPlaneRegionMustBeReadable() throws Exception {
        regions.put(16, new Region(Vfio.REGION_INFO_FLAG_MMAP, 4 << 20, 0x1000, false));
        answer = PlaneValidatorTest.primary().flags(4).size(4 << 20).id(16).raw();
        assertThatThrownBy(() -> device().queryPlane(BufferType.REGION, PlaneType.PRIMARY))
                .isInstanceOfSatisfying(InvalidPlaneException.class, e -> assertThat(e.field()).isEqualTo("region_index"))
                .hasMessageContaining("readable");
    }

    @Test
    void regionPlaneRegionMustExist() throws Exception {
        answer = PlaneValidatorTest.primary().flags(4).size(4 << 20).id(99).raw();
        assertThatThrownBy(() -> device().queryPlane(BufferType.REGION, PlaneType.PRIMARY))
                .isInstanceOfSatisfying(InvalidPlaneException.class, e -> assertThat(e.field()).isEqualTo("region_index"))
                .hasMessageContaining("region_index = 99").hasMessageContaining("EINVAL");
    }

    @Test
    void regionPlaneThatFitsIsReturned() throws Exception {
        regions.put(16, new Region(RWM, 4 << 20, 0x1000, false));
        answer = PlaneValidatorTest.primary().flags(4).size(4 << 20).id(16).raw();
        assertThat(device().queryPlane(BufferType.REGION, PlaneType.PRIMARY)).isPresent();
    }

    // ---- dma-bufs

    void dmabufAnswers(long size) throws Exception {
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_GET_GFX_DMABUF), any(ByteBuffer.class))).thenReturn(DMA_FD);
        when(kernel.lseek(DMA_FD, 0, Linux.SEEK_END)).thenReturn(size);
    }

    PlaneInfo dmabufPlaneInfo() throws Exception {
        answer = dmabufPlane(0x80000001L);
        return device().queryPlane(BufferType.DMABUF, PlaneType.PRIMARY).orElseThrow();
    }

    @Test
    void openDmaBufSetsCloexecAndChecksTheSize() throws Exception {
        PlaneInfo p = dmabufPlaneInfo();
        dmabufAnswers(4096L * 768);
        List<ByteBuffer> args = new ArrayList<>();
        doAnswer(inv -> {
            ByteBuffer b = inv.getArgument(2);
            args.add(b.duplicate());
            return DMA_FD;
        }).when(kernel).ioctl(eq(FD), eq(Vfio.DEVICE_GET_GFX_DMABUF), any(ByteBuffer.class));

        DmaBuf buf = device().openDmaBuf(p);
        assertThat(buf.fd()).isEqualTo(DMA_FD);
        assertThat(buf.size()).isEqualTo(4096L * 768);
        verify(kernel).fcntl(DMA_FD, Linux.F_SETFD, Linux.FD_CLOEXEC);
        assertThat(args.get(0).capacity()).isEqualTo(4);
        assertThat(args.get(0).order(ByteOrder.LITTLE_ENDIAN).getInt(0)).isEqualTo(0x80000001);
        verify(kernel, never()).close(DMA_FD);

        buf.close();
        buf.close();
        verify(kernel, times(1)).close(DMA_FD);
    }

    @Test
    void dmaBufSmallerThanTheLayoutIsClosed() throws Exception {
        PlaneInfo p = dmabufPlaneInfo();
        dmabufAnswers(4096L * 767);
        VfioGfxDevice d = device();
        assertThatThrownBy(() -> d.openDmaBuf(p)).isInstanceOf(DeviceException.class)
                .hasMessageContaining("holds 3141632 bytes").hasMessageContaining("needs 3145728");
        verify(kernel).close(DMA_FD);
    }

    @Test
    void dmaBufIsClosedWhenCloexecFails() throws Exception {
        PlaneInfo p = dmabufPlaneInfo();
        dmabufAnswers(4096L * 768);
        when(kernel.fcntl(DMA_FD, Linux.F_SETFD, Linux.FD_CLOEXEC)).thenThrow(new DeviceException("fcntl", Errno.EBADF.number()));
        VfioGfxDevice d = device();
        assertThatThrownBy(() -> d.openDmaBuf(p)).isInstanceOf(DeviceException.class).hasMessageContaining("FD_CLOEXEC");
        verify(kernel).close(DMA_FD);
    }

    @Test
    void dmaBufIsClosedWhenLseekFails() throws Exception {
        PlaneInfo p = dmabufPlaneInfo();
        dmabufAnswers(0);
        when(kernel.lseek(DMA_FD, 0, Linux.SEEK_END)).thenThrow(new DeviceException("lseek", Errno.ESPIPE.number()));
        VfioGfxDevice d = device();
        assertThatThrownBy(() -> d.openDmaBuf(p)).isInstanceOf(DeviceException.class).hasMessageContaining("ESPIPE");
        verify(kernel).close(DMA_FD);
    }

    @Test
    void closeFailureOnAnErrorPathDoesNotHideTheError() throws Exception {
        PlaneInfo p = dmabufPlaneInfo();
        dmabufAnswers(16);
        doAnswer(inv -> {
            throw new DeviceException("close", Errno.EIO.number());
        }).when(kernel).close(DMA_FD);
        VfioGfxDevice d = device();
        assertThatThrownBy(() -> d.openDmaBuf(p)).hasMessageContaining("needs")
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    }

    @Test
    void getGfxDmabufErrorsAreTyped() throws Exception {
        PlaneInfo p = dmabufPlaneInfo();
        when(kernel.ioctl(eq(FD), eq(Vfio.DEVICE_GET_GFX_DMABUF), any(ByteBuffer.class)))
                .thenThrow(new DeviceException("ioctl", Errno.ENOENT.number()));
        VfioGfxDevice d = device();
        assertThatThrownBy(() -> d.openDmaBuf(p)).isInstanceOfSatisfying(DeviceException.class,
                e -> assertThat(e.is(Errno.ENOENT)).isTrue());
        verify(kernel, never()).close(anyInt());
    }

    @Test
    void duplicateSetsCloexecAndClosesTheCopyWhenThatFails() throws Exception {
        PlaneInfo p = dmabufPlaneInfo();
        dmabufAnswers(4096L * 768);
        DmaBuf buf = device().openDmaBuf(p);
        when(kernel.dup(DMA_FD)).thenReturn(78, 79);
        DmaBuf copy = buf.duplicate();
        assertThat(copy.fd()).isEqualTo(78);
        assertThat(copy.size()).isEqualTo(buf.size());
        verify(kernel).fcntl(78, Linux.F_SETFD, Linux.FD_CLOEXEC);

        when(kernel.fcntl(79, Linux.F_SETFD, Linux.FD_CLOEXEC)).thenThrow(new DeviceException("fcntl", Errno.EBADF.number()));
        assertThatThrownBy(buf::duplicate).isInstanceOf(DeviceException.class);
        verify(kernel).close(79);
    }

    @Test
    void cpuReadSyncSendsStartAndEndReadFlagsAndRetriesEintr() throws Exception {
        PlaneInfo p = dmabufPlaneInfo();
        dmabufAnswers(4096L * 768);
        DmaBuf buf = device().openDmaBuf(p);
        List<Long> flags = new ArrayList<>();
        int[] calls = {0};
        doAnswer(inv -> {
            if (calls[0]++ == 0) {
                throw new DeviceException("ioctl", Errno.EINTR.number());
            }
            ByteBuffer b = inv.getArgument(2);
            flags.add(b.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(0));
            return 0;
        }).when(kernel).ioctl(eq(DMA_FD), eq(Linux.DMA_BUF_IOCTL_SYNC), any(ByteBuffer.class));
        buf.beginCpuRead();
        buf.endCpuRead();
        assertThat(flags).containsExactly(1L, 5L);
    }

    @Test
    void mapReadOnlyRefusalKeepsTheProducersErrno() throws Exception {
        PlaneInfo p = dmabufPlaneInfo();
        dmabufAnswers(4096L * 768);
        DmaBuf buf = device().openDmaBuf(p);
        when(kernel.mmap(4096L * 768, Linux.PROT_READ, Linux.MAP_SHARED, DMA_FD, 0))
                .thenThrow(new DeviceException("mmap", Errno.ENODEV.number()));
        assertThatThrownBy(buf::mapReadOnly).isInstanceOfSatisfying(DeviceException.class,
                e -> assertThat(e.is(Errno.ENODEV)).isTrue()).hasMessageContaining("refuse CPU access");
    }

    // ---- regions

    @Test
    void mapRegionMapsExactlyTheRegionReadOnlyShared() throws Exception {
        regions.put(16, new Region(RWM, 4 << 20, 0x1000, false));
        Mapping m = mock(Mapping.class);
        when(m.length()).thenReturn(4L << 20);
        when(m.view(anyLong(), anyInt())).thenAnswer(inv -> ByteBuffer.allocateDirect(inv.getArgument(1)));
        when(kernel.mmap(4L << 20, Linux.PROT_READ, Linux.MAP_SHARED, FD, 0x1000)).thenReturn(m);

        MappedMemory mem = device().mapRegion(16);
        assertThat(mem.size()).isEqualTo(4L << 20);
        assertThat(mem.view(0, 16).isReadOnly()).isTrue();
        assertThat(mem.view(0, 16).order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> mem.view((4L << 20) - 8, 16)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> mem.view(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        mem.close();
        mem.close();
        verify(kernel, times(1)).munmap(m);
        assertThatThrownBy(() -> mem.view(0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void mapRegionReadWriteGivesWritableViews() throws Exception {
        regions.put(0, new Region(RWM, 4096, 0x3000, false));
        Mapping m = mock(Mapping.class);
        when(m.length()).thenReturn(4096L);
        when(m.view(anyLong(), anyInt())).thenAnswer(inv -> ByteBuffer.allocateDirect(inv.getArgument(1)));
        when(kernel.mmap(4096, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, FD, 0x3000)).thenReturn(m);
        VfioMappedMemory mem = device().mapRegionReadWrite(0);
        assertThat(mem.writableView(0, 4).isReadOnly()).isFalse();
        assertThat(mem.view(0, 4).isReadOnly()).isTrue();
    }

    @Test
    void mapRegionRefusesUnmappableAndUnreadableRegions() throws Exception {
        regions.put(1, new Region(Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE, 4096, 0, false));
        regions.put(2, new Region(Vfio.REGION_INFO_FLAG_MMAP, 4096, 0, false));
        VfioGfxDevice d = device();
        assertThatThrownBy(() -> d.mapRegion(1)).hasMessageContaining("region 1 of test-dev")
                .hasMessageContaining("does not support mmap");
        assertThatThrownBy(() -> d.mapRegion(2)).hasMessageContaining("not readable");
        verify(kernel, never()).mmap(anyLong(), anyInt(), anyInt(), anyInt(), anyLong());
    }

    @Test
    void readRegionIsBoundsCheckedAndLoopsOverShortReads() throws Exception {
        regions.put(7, new Region(RWM, 256, 0x7000, false));
        List<Long> offsets = new ArrayList<>();
        when(kernel.pread(eq(FD), any(ByteBuffer.class), anyLong())).thenAnswer(inv -> {
            ByteBuffer dst = inv.getArgument(1);
            offsets.add(inv.getArgument(2));
            int n = Math.min(3, dst.remaining());
            for (int i = 0; i < n; i++) {
                dst.put((byte) i);
            }
            return n;
        });
        VfioGfxDevice d = device();
        ByteBuffer dst = ByteBuffer.allocate(8);
        d.readRegion(7, 248, dst);
        assertThat(dst.hasRemaining()).isFalse();
        assertThat(offsets).containsExactly(0x7000L + 248, 0x7000L + 251, 0x7000L + 254);

        assertThatThrownBy(() -> d.readRegion(7, 249, ByteBuffer.allocate(8))).hasMessageContaining("lie outside region 7");
        assertThatThrownBy(() -> d.readRegion(7, -1, ByteBuffer.allocate(1))).hasMessageContaining("lie outside");
        assertThatThrownBy(() -> d.readRegion(7, Long.MAX_VALUE, ByteBuffer.allocate(1))).hasMessageContaining("lie outside");
    }

    @Test
    void readRegionStopsWhenTheDeviceReturnsNothing() throws Exception {
        regions.put(7, new Region(RWM, 256, 0x7000, false));
        when(kernel.pread(eq(FD), any(ByteBuffer.class), anyLong())).thenReturn(0);
        VfioGfxDevice d = device();
        assertThatThrownBy(() -> d.readRegion(7, 0, ByteBuffer.allocate(8))).hasMessageContaining("no data");
    }

    @Test
    void writeRegionNeedsAWritableRegion() throws Exception {
        regions.put(7, new Region(Vfio.REGION_INFO_FLAG_READ, 256, 0x7000, false));
        VfioGfxDevice d = device();
        assertThatThrownBy(() -> d.writeRegion(7, 0, ByteBuffer.allocate(4))).hasMessageContaining("not writable");
        verify(kernel, never()).pwrite(anyInt(), any(ByteBuffer.class), anyLong());
    }

    // ---- EDID

    void edidMemory() throws Exception {
        regions.put(9, new Region(Vfio.REGION_INFO_FLAG_READ | Vfio.REGION_INFO_FLAG_WRITE, 0x1000, 0x2000, true));
        regionMemory = new byte[0x1000];
        ByteBuffer regs = ByteBuffer.wrap(regionMemory).order(ByteOrder.LITTLE_ENDIAN);
        regs.putInt(GfxEdidLayout.EDID_OFFSET, 0x100);
        regs.putInt(GfxEdidLayout.EDID_MAX_SIZE, 512);
        regs.putInt(GfxEdidLayout.MAX_XRES, 1920);
        regs.putInt(GfxEdidLayout.MAX_YRES, 1080);
        regs.putInt(GfxEdidLayout.LINK_STATE, Vfio.EDID_LINK_UP);
        when(kernel.pread(eq(FD), any(ByteBuffer.class), anyLong())).thenAnswer(inv -> {
            ByteBuffer dst = inv.getArgument(1);
            int at = (int) (inv.<Long>getArgument(2) - 0x2000);
            int n = dst.remaining();
            dst.put(regionMemory, at, n);
            return n;
        });
        when(kernel.pwrite(eq(FD), any(ByteBuffer.class), anyLong())).thenAnswer(inv -> {
            ByteBuffer src = inv.getArgument(1);
            int at = (int) (inv.<Long>getArgument(2) - 0x2000);
            int n = src.remaining();
            src.get(regionMemory, at, n);
            return n;
        });
    }

    @Test
    void edidIsFoundByItsTypeCapabilityAndSpeaksFourByteRegisters() throws Exception {
        edidMemory();
        EdidRegion edid = device().edid().orElseThrow();
        assertThat(edid.region().index()).isEqualTo(9);
        assertThat(edid.maxSize()).isEqualTo(512);
        assertThat(edid.maxXres()).isEqualTo(1920);
        assertThat(edid.maxYres()).isEqualTo(1080);
        assertThat(edid.linkUp()).isTrue();

        edid.setLinkUp(false);
        assertThat(ByteBuffer.wrap(regionMemory).order(ByteOrder.LITTLE_ENDIAN).getInt(20)).isEqualTo(Vfio.EDID_LINK_DOWN);
        byte[] blob = new byte[128];
        blob[0] = 0x00;
        blob[1] = (byte) 0xFF;
        edid.write(blob);
        assertThat(ByteBuffer.wrap(regionMemory).order(ByteOrder.LITTLE_ENDIAN).getInt(8)).isEqualTo(128);
        assertThat(regionMemory[0x101]).isEqualTo((byte) 0xFF);
        assertThat(edid.read()).isEqualTo(blob);

        assertThatThrownBy(() -> edid.write(new byte[513])).hasMessageContaining("exceeds edid_max_size 512");
    }

    @Test
    void edidRegisterReadsAreFourBytesWide() throws Exception {
        edidMemory();
        List<Integer> sizes = new ArrayList<>();
        when(kernel.pread(eq(FD), any(ByteBuffer.class), anyLong())).thenAnswer(inv -> {
            ByteBuffer dst = inv.getArgument(1);
            sizes.add(dst.remaining());
            int n = dst.remaining();
            dst.position(dst.position() + n);
            return n;
        });
        EdidRegion edid = device().edid().orElseThrow();
        edid.maxSize();
        edid.linkUp();
        assertThat(sizes).containsOnly(4);
    }

    @Test
    void noEdidRegionAfterScanningABoundedRange() throws Exception {
        regions.put(0, new Region(RWM, 4096, 0, false));
        assertThat(device().edid()).isEqualTo(Optional.empty());
        verify(kernel, times(VfioGfxDevice.EDID_SCAN_MIN)).ioctl(eq(FD), eq(Vfio.DEVICE_GET_REGION_INFO), any(ByteBuffer.class));
    }

    @Test
    void resetIsTheNoArgumentIoctl() throws Exception {
        device().reset();
        verify(kernel).ioctl(FD, Vfio.DEVICE_RESET, 0L);
    }
}
