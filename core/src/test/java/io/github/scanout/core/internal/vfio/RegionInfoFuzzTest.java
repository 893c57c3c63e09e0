package io.github.scanout.core.internal.vfio;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.RegionInfo;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Vfio;
import io.github.scanout.testsupport.FuzzBytes;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fuzzes {@code VFIO_DEVICE_GET_REGION_INFO} answers: the argsz handshake of
 * {@link RegionInfoQuery} and the capability-chain walk of {@link RegionInfoCodec}, with a
 * kernel whose every answer comes from the fuzzer.
 *
 * <p>Input: byte 0 is the region index (255 stands for 0xFFFFFFFF); then, for each query the
 * code makes, one control byte (bit 7 set: the ioctl fails with errno {@code bits 0-6}) and a
 * 16-bit length followed by that many bytes, written over the query buffer from offset 0 (what
 * does not fit is dropped; bytes not written keep what the query put there).
 *
 * <p>Contract: a {@link RegionInfo} whose size, offset and sparse areas are in range and whose
 * index is the one asked for, or a {@link DeviceException} naming the region; an ioctl failure
 * keeps its errno. Never more than {@link RegionInfoQuery#MAX_QUERIES} queries, never a buffer
 * over {@link RegionInfoCodec#MAX_ARGSZ}. Nothing else escapes.
 */
class RegionInfoFuzzTest {

    static final int FD = 7;

    @FuzzTest(maxDuration = "30s")
    void query(byte[] data) {
        FuzzBytes in = new FuzzBytes(data);
        int b0 = in.u8();
        int index = b0 == 255 ? -1 : b0;
        AtomicInteger queries = new AtomicInteger();
        int[] lastErrno = {0};
        Kernel kernel = (Kernel) Proxy.newProxyInstance(Kernel.class.getClassLoader(), new Class<?>[] {Kernel.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("ioctl") && args[2] instanceof ByteBuffer arg) {
                        assertThat((int) args[0]).isEqualTo(FD);
                        assertThat((long) args[1]).isEqualTo(Vfio.DEVICE_GET_REGION_INFO);
                        assertThat(queries.incrementAndGet()).as("queries").isLessThanOrEqualTo(RegionInfoQuery.MAX_QUERIES);
                        assertThat(arg.capacity()).isBetween(RegionInfoCodec.SIZE, RegionInfoCodec.MAX_ARGSZ);
                        int control = in.u8();
                        if ((control & 0x80) != 0) {
                            lastErrno[0] = control & 0x7f;
                            throw new DeviceException("GET_REGION_INFO (fuzzed errno)", control & 0x7f);
                        }
                        byte[] bytes = in.bytes(in.u16());
                        ByteBuffer dst = arg.duplicate();
                        dst.clear();
                        dst.put(bytes, 0, Math.min(bytes.length, dst.capacity()));
                        return 0;
                    }
                    if (method.getName().equals("toString")) {
                        return "fuzzed kernel";
                    }
                    throw new AssertionError("RegionInfoQuery called " + method);
                });
        RegionInfo info;
        try {
            info = RegionInfoQuery.query(kernel, FD, index, "fuzz");
        } catch (DeviceException e) {
            assertThat(e.getClass()).isEqualTo(DeviceException.class);
            assertThat(e.getMessage()).contains("region " + Integer.toUnsignedString(index) + " of fuzz");
            if (lastErrno[0] != 0 && e.getCause() instanceof DeviceException cause) {
                assertThat(cause.errno()).isEqualTo(lastErrno[0]);
                assertThat(e.errno()).isEqualTo(lastErrno[0]);
            }
            return;
        }
        assertThat(info.index()).isEqualTo(index);
        assertThat(info.size()).isNotNegative();
        assertThat(info.offset()).isNotNegative();
        assertThat(info.sparseAreas().size() + info.unknownCapabilities().size() + (info.type().isPresent() ? 1 : 0))
                .isLessThanOrEqualTo(RegionInfoCodec.MAX_CAPS * 4096);
        for (RegionInfo.SparseArea a : info.sparseAreas()) {
            assertThat(a.offset()).isNotNegative().isLessThanOrEqualTo(info.size());
            assertThat(a.size()).isNotNegative().isLessThanOrEqualTo(info.size() - a.offset());
        }
        assertThat(info.toString()).isNotBlank();
    }
}
