package io.github.scanout.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * The console log is one line per record: a JUL record's exception becomes its chain of messages
 * (FileInstall's "Failed to install artifact" with the parser's reason), and SCR's Log service
 * entries are folded to their innermost message; without a Log service, System.Logger records at
 * or above the console level are printed directly.
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

    /** What SCR logs to the Log service for a component whose constructor threw. */
    static final String SCR_MESSAGE = "bundle io.github.scanout.plugin-sink-file:0.1.0.SNAPSHOT (11)[io.github.scanout.sink.file"
            + ".internal.FileSinkComponent(8)] : Error during instantiation of the implementation object";

    static Throwable scrException(String message) {
        return new InvocationTargetException(new IllegalArgumentException(message));
    }

    @Test
    void scrEntriesAreFoldedToTheirInnermostMessageAndRepeatsArePrintedOnce() {
        java.time.Instant now = java.time.Instant.now();
        String msg = "file sink configuration io.github.scanout.sink.file~b (file:/d/conf/io.github.scanout.sink.file-b.cfg):"
                + " maxFps = 'lots' is not accepted; expected a number " + System.nanoTime();
        String first = Logging.entry(now, Level.SEVERE, "io.github.scanout.sink.file.internal.FileSinkComponent", SCR_MESSAGE,
                scrException(msg));
        assertThat(first).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} SEVERE scr: .*").endsWith(" SEVERE scr:"
                + " IllegalArgumentException: " + msg + " (bundle io.github.scanout.plugin-sink-file:0.1.0.SNAPSHOT (11)"
                + "[io.github.scanout.sink.file.internal.FileSinkComponent] : Error during instantiation of the"
                + " implementation object)");
        assertThat(Logging.entry(now, Level.SEVERE, "x", SCR_MESSAGE, scrException(msg))).isNull();
        // the same refusal from another instance of the component: the same problem
        assertThat(Logging.entry(now, Level.SEVERE, "x", SCR_MESSAGE.replace("FileSinkComponent(8)", "FileSinkComponent(9)"),
                scrException(msg))).isNull();
        // a record without an exception is a line too (SCR's invalid target filter is one)
        assertThat(Logging.entry(now, Level.WARNING, "ROOT", "bundle org.apache.felix.scr:2.2.18 (7) : one line "
                + System.nanoTime(), null)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARNING scr: bundle org.apache.felix.scr:2.2.18 \\(7\\) : one line \\d+");
        // anything else is an ordinary line with its logger
        assertThat(Logging.entry(now, Level.INFO, "Events.Bundle", "BundleEvent STARTED\nagain", null))
                .endsWith(" INFO Events.Bundle: BundleEvent STARTED again");
    }

    @Test
    void withoutALogServiceARecordIsPrintedAtOnceWhenItsLevelIsEnabled() {
        assertThat(LogBridge.connected()).isFalse();
        assertThat(Logging.level()).isEqualTo(Level.WARNING);
        System.Logger l = System.getLogger("io.github.scanout.test");
        // the JDK finds the launcher's LoggerFinder on the class path (META-INF/services)
        assertThat(l).isInstanceOf(LogBridge.BridgeLogger.class);
        assertThat(l.isLoggable(System.Logger.Level.WARNING)).isTrue();
        assertThat(l.isLoggable(System.Logger.Level.INFO)).isFalse();
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            l.log(System.Logger.Level.INFO, "not shown");
            l.log(System.Logger.Level.WARNING, "shown {0}", "here");
            l.log(System.Logger.Level.ERROR, "with a cause", new IllegalStateException("why"));
        } finally {
            System.setErr(saved);
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).endsWith(" WARNING io.github.scanout.test: shown here");
        assertThat(lines[1]).endsWith(" SEVERE io.github.scanout.test: with a cause: IllegalStateException: why");
    }

    @Test
    void logLevelValues() {
        assertThat(Logging.parseStrict("DEBUG")).isEqualTo(Level.FINE);
        assertThat(Logging.parseStrict("warn")).isEqualTo(Level.WARNING);
        assertThat(Logging.parseStrict("off")).isEqualTo(Level.OFF);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Logging.parseStrict("loud"))
                .hasMessage("--log-level 'loud' is not a level; expected error, warn, info, debug, trace or off");
        assertThat(Logging.osgiLevel(Level.FINE)).isEqualTo("DEBUG");
        assertThat(Logging.osgiLevel(Level.FINEST)).isEqualTo("TRACE");
        assertThat(Logging.osgiLevel(Level.WARNING)).isEqualTo("WARN");
        assertThat(Logging.osgiLevel(Level.OFF)).isEqualTo("AUDIT");
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
            Logging.Console console = new Logging.Console(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            console.println("scanout: WARNING: sink file-1 gets no picture");
            console.println("scanout: failed: file-1 wrote nothing");
            console.println("scanout: desk is live");
            console.println(Logging.entry(java.time.Instant.now(), Level.SEVERE, "x", SCR_MESSAGE, scrException("bad path")));
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
