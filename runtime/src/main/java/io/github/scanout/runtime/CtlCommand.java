package io.github.scanout.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code scanout ctl [--control PATH] [--json] COMMAND [ARGS...]}: sends one request to the
 * running instance's control socket ({@link ControlServer}) and prints the reply: the body on
 * stdout when it was done, on stderr otherwise. Without {@code --control} it looks where an
 * instance of this distribution listens ({@link ControlServer#directories}, then
 * {@code /run/scanout}) and says so when none runs.
 *
 * <p>Exit status: 0 done, 1 failed or no instance, 2 bad arguments or a request the instance
 * refused as malformed.
 *
 * <p>Threads: the main thread.
 */
final class CtlCommand {
    private final Distribution dist;
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    CtlCommand(Distribution dist, Map<String, String> env, PrintStream out, PrintStream err) {
        this.dist = dist;
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /** The parsed arguments. */
    record Args(String control, boolean json, String verb, List<String> args) {}

    static Args parse(List<String> argv) throws UsageException {
        String control = null;
        boolean json = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--control") || a.startsWith("--control=")) {
                if (control != null) {
                    throw new UsageException("--control is given twice");
                }
                control = a.startsWith("--control=") ? a.substring("--control=".length())
                        : i + 1 < argv.size() ? argv.get(++i) : null;
                if (control == null || control.isBlank()) {
                    throw new UsageException("--control needs a value (PATH of the control socket)");
                }
            } else if (rest.isEmpty() && a.startsWith("-")) {
                throw new UsageException("unknown option '" + a + "' for ctl; expected --control PATH, --json or a"
                        + " command (" + ControlCommands.VERBS + ")");
            } else if (a.isEmpty()) {
                throw new UsageException("ctl: empty argument");
            } else {
                rest.add(a);
            }
        }
        if (rest.isEmpty()) {
            throw new UsageException("ctl needs a command: " + ControlCommands.VERBS);
        }
        List<String> args = new ArrayList<>(rest.subList(1, rest.size()));
        if (rest.get(0).equals("snapshot") && args.size() == 2) {
            // the instance may run elsewhere: it gets the absolute path
            args.set(1, Path.of(args.get(1)).toAbsolutePath().normalize().toString());
        }
        return new Args(control, json, rest.get(0), args);
    }

    int run(List<String> argv) {
        Args a;
        try {
            a = parse(argv);
        } catch (UsageException e) {
            err.println("scanout: " + e.getMessage() + " (see scanout --help)");
            return 2;
        }
        List<Path> candidates = new ArrayList<>();
        if (a.control() != null) {
            candidates.add(Path.of(a.control()));
        } else {
            Set<Path> dirs = new LinkedHashSet<>(ControlServer.directories(dist, env));
            dirs.add(Path.of("/run/scanout"));
            for (Path d : dirs) {
                candidates.add(d.resolve(ControlServer.fileName(dist)));
            }
        }
        for (Path p : candidates) {
            if (!Files.exists(p)) {
                continue;
            }
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(p));
                return exchange(c, new ControlRequest(a.json(), a.verb(), a.args()));
            } catch (IOException e) {
                if (a.control() != null) {
                    err.println("scanout: cannot connect to " + p + ": " + reason(e));
                    return 1;
                }
                // stale socket: look on
            }
        }
        if (a.control() != null) {
            err.println("scanout: no control socket at " + a.control() + " (is the instance running with --control "
                    + a.control() + "?)");
        } else {
            List<String> where = candidates.stream().map(p -> p.getParent().toString()).toList();
            err.println("scanout: no instance of " + dist.home() + " is running (looked for "
                    + ControlServer.fileName(dist) + " in " + String.join(", ", where) + "); start one with scanout run,"
                    + " or give --control PATH");
        }
        return 1;
    }

    private int exchange(SocketChannel c, ControlRequest req) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(req.encode());
        while (b.hasRemaining()) {
            c.write(b);
        }
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(8192);
        while (c.read(in.clear()) >= 0) {
            reply.write(in.array(), 0, in.position());
        }
        String text = reply.toString(StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        String head = nl < 0 ? text : text.substring(0, nl);
        String prefix = ControlRequest.PROTOCOL + " ";
        int status;
        try {
            status = head.startsWith(prefix) ? Integer.parseInt(head.substring(prefix.length()).trim()) : -1;
        } catch (NumberFormatException e) {
            status = -1;
        }
        if (status < 0) {
            err.println("scanout: the instance replied something this ctl does not understand: "
                    + (head.length() > 80 ? head.substring(0, 80) + "..." : head));
            return 1;
        }
        String body = nl < 0 ? "" : text.substring(nl + 1);
        PrintStream to = status == 0 ? out : err;
        if (status != 0 && !body.isEmpty()) {
            body = "scanout: " + body;
        }
        to.print(body);
        to.flush();
        return Math.min(status, 2);
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
