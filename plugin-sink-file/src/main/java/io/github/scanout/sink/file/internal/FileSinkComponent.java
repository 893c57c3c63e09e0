package io.github.scanout.sink.file.internal;

import io.github.scanout.api.sink.FrameSink;
import io.github.scanout.api.sink.ForwardingSink;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.support.Reporter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The file sink as a Declarative Services component: one {@link FileSink} per factory
 * configuration of {@value #PID}. The configuration's properties (including {@code device})
 * become the service's properties, which is what the pipeline's target filter matches.
 *
 * <p>Threads: SCR constructs and deactivates it on its own thread; the {@link FrameSink}
 * methods come from the pipeline's delivery thread for this sink.
 */
@Component(configurationPid = FileSinkComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = FrameSink.class)
@Designate(ocd = FileSinkConfig.class, factory = true)
public final class FileSinkComponent extends ForwardingSink<FileSink> {
    /** The factory PID of file sink configurations. */
    public static final String PID = "io.github.scanout.sink.file";

    private static final Reporter LOG = Reporter.system("io.github.scanout.sink.file");

    /**
     * Checks the configuration and builds the sink. Every value is read from the raw
     * properties as text with the configuration toolkit (so that {@code keep = many} is refused
     * with one line rather than turned into an SCR {@code NumberFormatException}); keys no file
     * sink reads (a typo such as {@code formt}, or {@code KEEP}) are one warning naming them and
     * the keys that are read; old spellings ({@code maxFps}) are read with a deprecation warning.
     *
     * @throws io.github.scanout.api.support.ConfigException naming the configuration (PID and
     *     file), the key, the value and what is accepted, when the configuration cannot be
     *     honoured (SCR logs it and the sink does not start)
     */
    @Activate
    public FileSinkComponent(Map<String, Object> properties) {
        super(build(properties));
    }

    private static FileSink build(Map<String, Object> properties) {
        ConfigReader reader = new ConfigReader(ConfigReader.source(properties, PID), FileSinkOptions.KEYS, properties);
        for (String w : reader.warnings()) {
            LOG.report(System.Logger.Level.WARNING, w);
        }
        FileSinkOptions options;
        // thrown: SCR logs it (the runtime folds that into one line); logging it here too would say it twice
        options = FileSinkOptions.parse(reader);
        try {
            return new FileSink(options);
        } catch (IllegalArgumentException e) {
            // a stream path that is a directory, a second sink on the same files: name the configuration
            throw new IllegalArgumentException(reader.source() + ": "
                    + e.getMessage().replaceFirst("^file sink configuration: ", ""), e);
        }
    }

    /**
     * The whole check of a configuration, without building a sink: each key's rule and the rules
     * between keys, as {@link #FileSinkComponent(Map)} applies them. The launcher calls it for
     * {@code --sink file:...} before anything starts (see the runtime's {@code SinkType}).
     *
     * @param source where the configuration came from, for the message
     * @param properties the configuration
     * @return null when the sink would accept it, else the one line that says why not
     */
    public static String check(String source, Map<String, ?> properties) {
        try {
            FileSinkOptions.parse(new ConfigReader(source, FileSinkOptions.KEYS, properties));
            return null;
        } catch (IllegalArgumentException e) { // a ConfigException, or a rule of FileSinkOptions
            return e.getMessage();
        }
    }

    @Deactivate
    void deactivate() {
        delegate.close();
    }

    /** The sink behind the component (tests). */
    FileSink sink() {
        return delegate;
    }
}
