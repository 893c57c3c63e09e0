package io.github.scanout.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code scanout devices}: lists the host's mdevs and, for each, whether a process (a VMM) holds
 * it (PID, command line, libvirt domain) and whether Scanout could borrow it from that process, or
 * why not, without starting the framework. It never opens an mdev: an open while a VM starts on
 * it would make the VM's start fail with EBUSY; everything is read from {@code /proc},
 * {@code /run} and sysfs. Core, the api and JNA are loaded from {@code bundles/} in a
 * class loader of their own, and core's embedding API ({@code io.github.scanout.core.Devices})
 * is called reflectively: the launcher does not link against core.
 *
 * <p>{@code -Dscanout.sysfs=DIR}, {@code -Dscanout.dev=DIR}, {@code -Dscanout.proc=DIR} and
 * {@code -Dscanout.run=DIR} point it at another sysfs, {@code /dev}, {@code /proc} and
 * {@code /run} (tests use fake trees).
 *
 * <p>Threads: {@link #run} on the main thread.
 */
final class DevicesCommand {
    static final String SIMULATED = "sim:mdpy-vga, sim:mdpy-xga, sim:mdpy-hd, sim:mbochs, sim:gvt";

    private final Distribution dist;
    private final PrintStream out;
    private final PrintStream err;

    DevicesCommand(Distribution dist, PrintStream out, PrintStream err) {
        this.dist = dist;
        this.out = out;
        this.err = err;
    }

    int run() {
        Path sysfs = Path.of(System.getProperty("scanout.sysfs", "/sys"));
        Path dev = Path.of(System.getProperty("scanout.dev", "/dev"));
        Path proc = Path.of(System.getProperty("scanout.proc", "/proc"));
        Path run = Path.of(System.getProperty("scanout.run", "/run"));
        List<URL> urls = new ArrayList<>();
        for (String jar : new String[] {"scanout-api.jar", "scanout-core.jar", "jna.jar"}) {
            Path p = dist.bundles().resolve(jar);
            if (!Files.isRegularFile(p)) {
                err.println("scanout: " + p + " is missing; the distribution is incomplete");
                return 1;
            }
            try {
                urls.add(p.toUri().toURL());
            } catch (IOException e) {
                err.println("scanout: " + p + ": " + e.getMessage());
                return 1;
            }
        }
        Natives.configure(dist.cache(), dist.cache());
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), DevicesCommand.class.getClassLoader())) {
            Class<?> devicesType = loader.loadClass("io.github.scanout.core.Devices");
            Class<?> kernelType = loader.loadClass("io.github.scanout.api.kernel.Kernel");
            Object devices = devicesType.getConstructor(java.util.Collection.class, kernelType, Path.class, Path.class,
                    Path.class, Path.class).newInstance(List.of(), null, sysfs, dev, proc, run);
            List<?> mdevs;
            try {
                mdevs = (List<?>) devicesType.getMethod("list").invoke(devices);
            } catch (InvocationTargetException e) {
                err.println("scanout: cannot list the mediated devices: " + e.getCause().getMessage());
                return 1;
            }
            Path bus = sysfs.resolve("bus/mdev/devices");
            if (mdevs.isEmpty()) {
                out.println("No mediated devices on this host (" + bus + " is empty or missing).");
                out.println("Simulated vGPUs need none: " + SIMULATED + ", for example");
                out.println("  scanout run --device sim:mbochs --sink file:out/ --duration 5");
                return 0;
            }
            out.println(mdevs.size() + " mediated device" + (mdevs.size() == 1 ? "" : "s") + " (" + bus + "):");
            Class<?> mdevType = loader.loadClass("io.github.scanout.core.MdevInfo");
            for (Object m : mdevs) {
                out.println("  " + m);
                for (Object line : (List<?>) devicesType.getMethod("holders", mdevType).invoke(devices, m)) {
                    out.println("    " + line);
                }
            }
            return 0;
        } catch (ReflectiveOperationException | IOException | LinkageError e) {
            err.println("scanout: cannot load core from " + dist.bundles() + ": " + e);
            return 1;
        } catch (Exception e) {
            err.println("scanout: " + e);
            return 1;
        }
    }
}
