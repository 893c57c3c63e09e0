package io.github.scanout.sim.internal;

import io.github.scanout.api.DeviceException;
import io.github.scanout.api.Errno;
import io.github.scanout.api.kernel.Mapping;
import java.nio.ByteBuffer;

/**
 * An open VFIO device file. Ioctls pass through the scripted faults (vanish, failNext), then
 * the VFIO core, then the driver model. The file is opened O_RDWR with FMODE_PREAD and
 * FMODE_PWRITE but no llseek (lseek gives ESPIPE).
 */
public final class DeviceFile extends SimFile {
    private final DriverModel model;

    public DeviceFile(DriverModel model) {
        super(model.context(), true, true);
        this.model = model;
    }

    @Override
    public String label() {
        return "vfio-device";
    }

    @Override
    public int ioctl(SimKernel k, int cmd, UserArg arg) throws DeviceException {
        String call = SimKernel.ioctlName(cmd);
        checkPresent(call);
        ctx.checkInjectedFailure(call);
        ctx.countIoctl();
        if (cmd == VfioCore.DEVICE_FEATURE) {
            return VfioCore.deviceFeature(ctx.name(), arg);
        }
        return model.ioctl(k, cmd, arg);
    }

    @Override
    public int pread(ByteBuffer dst, long offset) throws DeviceException {
        checkPresent("pread");
        return model.read(offset, dst);
    }

    @Override
    public int pwrite(ByteBuffer src, long offset) throws DeviceException {
        checkPresent("pwrite");
        return model.write(offset, src);
    }

    @Override
    public long lseek(long offset, int whence) throws DeviceException {
        checkPresent("lseek");
        throw Errors.errno(ctx.name(), "lseek on the VFIO device fd (no llseek)", Errno.ESPIPE);
    }

    @Override
    public Mapping mmap(SimKernel k, long length, int prot, int flags, long offset) throws DeviceException {
        checkPresent("mmap");
        boolean shared = mmapCommon(ctx.name(), length, prot, flags, offset);
        return model.mmap(k, this, length, prot, flags, shared, offset);
    }

    @Override
    protected void release() {
        model.fileReleased();
    }
}
