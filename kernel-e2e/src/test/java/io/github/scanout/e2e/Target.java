package io.github.scanout.e2e;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.device.GfxDevice;
import io.github.scanout.core.Devices;
import io.github.scanout.sim.MbochsDevice;
import io.github.scanout.sim.MdpyDevice;

/**
 * The device under test. In the Maven build it is the simulated model; in the QEMU guest
 * (kernel-e2e/run sets {@code scanout.e2e.mdpy} and {@code scanout.e2e.mbochs} to mdev UUIDs) it
 * is the kernel's own driver, opened by UUID through the legacy VFIO path. Everything after
 * the open is the same code: that is what keeps the model from drifting from the kernel.
 */
final class Target {
    private Target() {}

    private static final Devices DEVICES = new Devices();
    private static MdpyDevice simMdpy;
    private static MbochsDevice simMbochs;

    /** Whether the suite runs against the real kernel. */
    static boolean real() {
        return System.getProperty("scanout.e2e.mdpy") != null;
    }

    static String describe() {
        return real() ? "kernel" : "sim";
    }

    /** The mdpy-xga device, open. */
    static synchronized GfxDevice openMdpy() throws DeviceException {
        if (real()) {
            return DEVICES.open(System.getProperty("scanout.e2e.mdpy"));
        }
        if (simMdpy == null) {
            simMdpy = MdpyDevice.create(MdpyDevice.Type.XGA);
        }
        return DEVICES.open(simMdpy);
    }

    /**
     * The mbochs-medium device, open. In the sim its dma-bufs may be mapped so the test can read
     * them; in the kernel they are read through the test importer module.
     */
    static synchronized GfxDevice openMbochs() throws DeviceException {
        if (real()) {
            return DEVICES.open(System.getProperty("scanout.e2e.mbochs"));
        }
        if (simMbochs == null) {
            simMbochs = MbochsDevice.create(MbochsDevice.Type.MEDIUM);
        }
        return DEVICES.open(simMbochs);
    }

    /** The simulated mbochs, when not on the real kernel. */
    static synchronized MbochsDevice simMbochs() {
        if (real() || simMbochs == null) {
            throw new IllegalStateException("no simulated mbochs on the " + describe() + " target");
        }
        return simMbochs;
    }

    /** The simulated mdpy, when not on the real kernel. */
    static synchronized MdpyDevice simMdpy() {
        if (real() || simMdpy == null) {
            throw new IllegalStateException("no simulated mdpy on the " + describe() + " target");
        }
        return simMdpy;
    }
}
