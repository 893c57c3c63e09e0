package io.github.scanout.testsupport;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts the processes a test runs ({@code bin/scanout run} above all) so that none outlives
 * the test JVM, however it ends:
 * <ul>
 *   <li>{@link #start} sets {@code SCANOUT_PARENT_PID} to this JVM's process id: the launcher
 *       stops by itself when this JVM ends, even by SIGKILL (when no code of ours runs);</li>
 *   <li>{@link #destroyTree} ends a process and every process under it (the launcher script
 *       runs Java as a child while it writes its class-data archive, and SIGKILL to the script
 *       alone would leave that Java running); tests call it where they would call
 *       {@code destroy()} or {@code destroyForcibly()};</li>
 *   <li>a shutdown hook destroys the trees of every process started here and still running,
 *       for a JVM that exits normally with a test still holding one.</li>
 * </ul>
 *
 * <p>Threads: any.
 */
public final class ChildProcesses {
    /** What the launcher watches ({@code StopSignal.PARENT_ENV} in the runtime). */
    public static final String PARENT_ENV = "SCANOUT_PARENT_PID";

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : List.copyOf(LIVE)) {
                destroyTree(p, true);
            }
        }, "child-processes-cleanup"));
    }

    private ChildProcesses() {}

    /**
     * Starts a process tied to this JVM.
     *
     * @param builder the process to start; its environment gets {@value #PARENT_ENV} (unless it has one)
     * @return the process
     * @throws IOException when it cannot be started
     */
    public static Process start(ProcessBuilder builder) throws IOException {
        builder.environment().putIfAbsent(PARENT_ENV, Long.toString(ProcessHandle.current().pid()));
        Process p = builder.start();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        return p;
    }

    /**
     * Ends a process and all its descendants: SIGTERM to each ({@code force} false) or SIGKILL.
     * The descendants are taken before the process is signalled (its children are re-parented
     * once it is gone); with {@code force}, waits up to 10 s for each to be gone.
     *
     * @param process the process
     * @param force SIGKILL rather than SIGTERM
     */
    public static void destroyTree(Process process, boolean force) {
        List<ProcessHandle> tree = process.descendants().toList();
        if (force) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        for (ProcessHandle h : tree) {
            if (force) {
                h.destroyForcibly();
            } else {
                h.destroy();
            }
        }
        if (force) {
            for (ProcessHandle h : tree) {
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // still there: nothing more a test can do
                }
            }
        }
    }
}
