package io.github.scanout.runtime;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The {@code scanout} command ({@code bin/scanout} runs this class): {@code run},
 * {@code shell}, {@code devices}, {@code snapshot}, {@code ctl}, {@code --help}, {@code --version}. See
 * {@link CommandLine#help()} for the reference.
 *
 * <p>Exit status: 0 after a clean stop (also after SIGTERM or SIGINT), 1 when the runtime, the
 * device or a sink cannot start, 2 for bad arguments (one line on stderr, nothing started).
 *
 * <p>Threads: everything on the main thread; see {@link StopSignal} for signals.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        long start = System.nanoTime();
        Logging.configure(System.getenv("SCANOUT_LOG"));
        int code = run(args, System.out, System.err, System.getenv(), start);
        System.out.flush();
        System.exit(code);
    }

    /**
     * Runs one command.
     *
     * @param start {@link System#nanoTime()} when the process started its work, for the "live
     *     after" line
     * @return the exit status
     */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, long start) {
        if (args.length > 0 && args[0].equals("ctl")) {
            return new CtlCommand(Distribution.locate(env), env, out, err).run(List.of(args).subList(1, args.length));
        }
        CommandLine cl;
        try {
            // the sink types come from the bundles the runtime would install, read before it starts
            cl = CommandLine.parse(SinkType.installed(Distribution.locate(env)), args);
        } catch (UsageException e) {
            err.println("scanout: " + e.getMessage() + " (see scanout --help)");
            return 2;
        }
        cl.ops().logLevel().ifPresent(Logging::level);
        for (String w : cl.warnings()) {
            err.println("scanout: " + w);
        }
        if (cl.command() != CommandLine.Command.HELP && cl.command() != CommandLine.Command.VERSION) {
            String note = Distribution.locate(env).note();
            if (!note.isEmpty()) {
                err.println("scanout: " + note);
            }
        }
        switch (cl.command()) {
            case HELP:
                out.print(CommandLine.help());
                return 0;
            case VERSION:
                String v = Launcher.class.getPackage().getImplementationVersion();
                out.println("scanout " + (v == null ? "(development build)" : v));
                return 0;
            case DEVICES:
                return new DevicesCommand(Distribution.locate(env), out, err).run();
            default:
                break;
        }
        // a --device spec its scheme's bundle refuses: one line, exit 2, before anything starts
        if (cl.device().isPresent()) {
            String bad = DeviceSchemes.installed(Distribution.locate(env)).check(cl.device().get().spec());
            if (bad != null) {
                err.println("scanout: --device '" + cl.device().get().name() + "': " + bad + " (see scanout --help)");
                return 2;
            }
        }
        StopSignal stop = new StopSignal();
        stop.install();
        String parent = stop.watchParent(env);
        if (parent != null) {
            err.println("scanout: " + parent);
        }
        int code;
        try {
            code = cl.command() == CommandLine.Command.SNAPSHOT
                    ? new SnapshotCommand(cl, Distribution.locate(env), out, err, stop, start, env).run()
                    : new RunCommand(cl, Distribution.locate(env), out, err, stop, start, env).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 1;
        } catch (RuntimeException e) {
            err.println("scanout: " + e);
            code = 1;
        }
        stop.finished(code);
        return code;
    }
}
