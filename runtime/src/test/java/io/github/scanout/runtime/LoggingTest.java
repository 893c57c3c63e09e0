package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * The console log is one line per record: a JUL record's exception becomes its chain of messages
 * (FileInstall's "Failed to install artifact" with the parser's reason), and SCR's records with a
 * stack trace, which SCR prints itself to System.err, are folded to their innermost message.
 */
class LoggingTest {

    @Test
    void aRecordWithAnExceptionIsOneLineWithTheChainOfMessages() {
        LogRecord r = new LogRecord(Level.SEVERE, "Failed to install artifact: /etc/scanout/conf/x.cfg");
        r.setLoggerName("fileinstall");
        r.setThrown(new RuntimeException(new IllegalArgumentException("Key [] must not be an empty string")));
        String line = new Logging.OneLine().format(r);
        assertThat(line).endsWith(System.lineSeparator());
        assertThat(line.strip()).doesNotContain("\n").matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} SEVERE fileinstall: .*")
                .endsWith(" SEVERE fileinstall: Failed to install artifact: /etc/scanout/conf/x.cfg:"
                        + " IllegalArgumentException: Key [] must not be an empty string");
    }

    @Test
    void aBundleExceptionKeepsItsMessageAndItsCause() {
        Exception e = new Exception("Activator start error in bundle test.boom [15].",
                new IllegalStateException("boom\n  from the activator"));
        assertThat(Logging.chain(e)).isEqualTo("Exception: Activator start error in bundle test.boom [15].;"
                + " caused by IllegalStateException: boom\n  from the activator");
        LogRecord r = new LogRecord(Level.WARNING, "Error while starting bundle: file:/d/deploy/boom.jar");
        r.setLoggerName("fileinstall");
        r.setThrown(e);
        assertThat(new Logging.OneLine().format(r).strip()).endsWith("WARNING fileinstall: Error while starting bundle:"
                + " file:/d/deploy/boom.jar: Exception: Activator start error in bundle test.boom [15].;"
                + " caused by IllegalStateException: boom from the activator");
    }

    /** What SCR prints for a component whose constructor threw (its console fallback, one println). */
    static String scrRecord(String message) {
        StringWriter w = new StringWriter();
        w.append("ERROR : bundle io.github.scanout.plugin-sink-file:0.1.0.SNAPSHOT (11)[io.github.scanout.sink.file"
                + ".internal.FileSinkComponent(8)] : Error during instantiation of the implementation object");
        try (PrintWriter p = new PrintWriter(w)) {
            p.println();
            StringWriter trace = new StringWriter();
            new InvocationTargetException(new IllegalArgumentException(message)).printStackTrace(new PrintWriter(trace));
            p.print(trace);
        }
        return w.toString();
    }

    @Test
    void scrRecordsWithAStackTraceAreFoldedToOneLineAndRepeatsArePrintedOnce() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Logging.ScrConsole console = new Logging.ScrConsole(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String msg = "file sink configuration io.github.scanout.sink.file~b (file:/d/conf/io.github.scanout.sink.file-b.cfg):"
                + " maxFps = 'lots' is not accepted; expected a number";
        StringWriter asScrDoes = new StringWriter();
        asScrDoes.append(scrRecord(msg));
        console.println(asScrDoes); // println(Object), as SCR calls it
        console.println(scrRecord(msg));
        // the same refusal from another instance of the component: the same problem
        console.println(scrRecord(msg).replace("FileSinkComponent(8)", "FileSinkComponent(9)"));
        console.println("WARN  : bundle x : one line already");
        console.println("scanout: something else\nacross two lines");
        console.flush();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} SEVERE scr: .*").endsWith(" SEVERE scr:"
                + " IllegalArgumentException: " + msg + " (bundle io.github.scanout.plugin-sink-file:0.1.0.SNAPSHOT (11)"
                + "[io.github.scanout.sink.file.internal.FileSinkComponent] : Error during instantiation of the"
                + " implementation object)");
        // a record without a trace is a log record too (SCR's invalid target filter is one)
        assertThat(lines[1]).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARNING scr: bundle x : one line already");
        assertThat(lines[2]).isEqualTo("scanout: something else");
        assertThat(lines[3]).isEqualTo("across two lines");
    }

    @Test
    void underTheJournalALineStartsWithItsPriorityInsteadOfTheTime(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createFile(dir.resolve("stderr"));
        String id = java.nio.file.Files.getAttribute(f, "unix:dev") + ":" + java.nio.file.Files.getAttribute(f, "unix:ino");
        assertThat(Logging.journalStream(id, f)).isTrue();
        assertThat(Logging.journalStream("1:2", f)).isFalse();
        assertThat(Logging.journalStream(null, f)).isFalse();
        assertThat(Logging.journalStream("junk", f)).isFalse();
        LogRecord r = new LogRecord(Level.WARNING, "device desk: no signal");
        r.setLoggerName("io.github.scanout.core");
        Logging.journal(true);
        try {
            assertThat(new Logging.OneLine().format(r).strip()).isEqualTo("<4>WARNING io.github.scanout.core: device desk: no signal");
            r.setLevel(Level.SEVERE);
            assertThat(new Logging.OneLine().format(r)).startsWith("<3>SEVERE ");
            r.setLevel(Level.INFO);
            assertThat(new Logging.OneLine().format(r)).startsWith("<6>INFO ");
            r.setLevel(Level.FINE);
            assertThat(new Logging.OneLine().format(r)).startsWith("<7>FINE ");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            Logging.ScrConsole console = new Logging.ScrConsole(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            console.println("scanout: WARNING: sink file-1 gets no picture");
            console.println("scanout: failed: file-1 wrote nothing");
            console.println("scanout: desk is live");
            console.println(scrRecord("bad path"));
            assertThat(bytes.toString(StandardCharsets.UTF_8).split("\\R")).containsExactly(
                    "<4>scanout: WARNING: sink file-1 gets no picture", "<3>scanout: failed: file-1 wrote nothing",
                    "scanout: desk is live",
                    "<3>SEVERE scr: IllegalArgumentException: bad path (bundle io.github.scanout.plugin-sink-file:0.1.0.SNAPSHOT (11)"
                            + "[io.github.scanout.sink.file.internal.FileSinkComponent] : Error during instantiation of the"
                            + " implementation object)");
        } finally {
            Logging.journal(false);
        }
    }
}
