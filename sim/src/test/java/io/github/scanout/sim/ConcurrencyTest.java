package io.github.scanout.sim;

import static io.github.scanout.sim.Structs.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.DeviceEndpoint.OpenDevice;
import io.github.scanout.api.kernel.Kernel;
import io.github.scanout.api.kernel.Vfio;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Consumers and a guest hammering one device from several threads. */
class ConcurrencyTest {

    @Test
    void gvtSurvivesConsumersAndAGuestChangingModes() throws Exception {
        FakeHostKernel host = new FakeHostKernel();
        GvtDevice device = GvtDevice.create();
        device.setViolationPolicy(ViolationPolicy.ERRNO);
        OpenDevice d = device.open(host);
        Kernel k = d.kernel();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> jobs = new java.util.ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int type = t == 2 ? CURSOR : PRIMARY;
                jobs.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 300; i++) {
                        try {
                            ByteBuffer p = plane(DMABUF, type);
                            k.ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, p);
                            if (id(p) != 0) {
                                int buf = k.ioctl(d.fd(), Vfio.DEVICE_GET_GFX_DMABUF, u32(id(p)));
                                k.close(buf);
                            }
                        } catch (DeviceException e) {
                            // another consumer's close may free the object between query and get
                            if (!e.is(Errno.EINVAL)) {
                                unexpected.add(e);
                            }
                        } catch (Throwable e) {
                            unexpected.add(e);
                        }
                    }
                    return null;
                }));
            }
            jobs.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 60; i++) {
                    device.setMode(320 + i, 200);
                    device.drawNextFrame();
                    device.flip();
                    device.moveCursor(-i, i);
                }
                return null;
            }));
            start.countDown();
            for (Future<?> f : jobs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(unexpected).isEmpty();
        assertThat(device.violations()).isEmpty();
        assertThat(device.liveFds()).isEqualTo(1);
        k.close(d.fd());
        assertThat(device.liveFds()).isZero();
    }

    @Test
    void mbochsConsumerFollowsAGuestThatKeepsChangingModes() throws Exception {
        FakeHostKernel host = new FakeHostKernel();
        MbochsDevice device = MbochsDevice.create(MbochsDevice.Type.MEDIUM);
        device.setAnimate(true);
        OpenDevice d = device.open(host);
        Kernel k = d.kernel();
        Thread guest = new Thread(() -> {
            for (int i = 0; i < 200; i++) {
                device.guest().setMode(640 + (i % 4) * 64, 480);
            }
        });
        guest.start();
        java.util.Map<Integer, Integer> fdById = new java.util.HashMap<>();
        while (guest.isAlive()) {
            ByteBuffer p = plane(DMABUF, PRIMARY);
            try {
                k.ioctl(d.fd(), Vfio.DEVICE_QUERY_GFX_PLANE, p);
            } catch (DeviceException e) {
                assertThat(e.is(Errno.ENOMEM)).as(e.getMessage()).isTrue();
                continue;
            }
            if (id(p) != 0 && !fdById.containsKey(id(p))) {
                fdById.put(id(p), k.ioctl(d.fd(), Vfio.DEVICE_GET_GFX_DMABUF, u32(id(p))));
            }
        }
        guest.join();
        assertThat(device.violations()).isEmpty();
        assertThat(device.bufferObjects()).isLessThanOrEqualTo(4);
        for (int fd : fdById.values()) {
            k.close(fd);
        }
        k.close(d.fd());
        assertThat(device.liveFds()).isZero();
    }
}
