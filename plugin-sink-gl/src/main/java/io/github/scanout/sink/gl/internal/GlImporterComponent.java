package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.importer.BufferImporter;
import io.github.scanout.api.support.ConfigKey;
import io.github.scanout.api.support.ConfigReader;
import io.github.scanout.api.support.Reporter;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Registers the headless {@link GlImporter} as a {@link BufferImporter}. The configuration is
 * optional, so the importer is there as soon as the bundle is deployed (a file sink on a GVT-g
 * or mbochs host needs it, and nobody should have to know to switch it on); configuring
 * {@code enabled=false} makes it decline everything. It costs nothing until then but its GL
 * thread: GL starts on that thread at activation, not on SCR's.
 *
 * <p>Threads: SCR calls activate and deactivate; pipelines call the importer from their sinks'
 * delivery threads (see {@link GlImporter}).
 */
@Component(configurationPid = GlImporterComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = BufferImporter.class)
@Designate(ocd = GlImporterConfig.class)
public final class GlImporterComponent implements BufferImporter {
    private final GlImporter importer;

    private static final Reporter LOG = Reporter.system("io.github.scanout.sink.gl");
    /** The PID of the importer's configuration. */
    static final String PID = "io.github.scanout.importer.gl";
    /** Its keys, as {@link GlImporterConfig} declares them. */
    static final List<ConfigKey> KEYS = ConfigKey.fromMetatype(GlImporterConfig.class);

    /**
     * Reads the configuration's raw properties with the configuration toolkit.
     *
     * @throws io.github.scanout.api.support.ConfigException one line naming the configuration, the
     *     key, the value and the rule
     */
    @Activate
    public GlImporterComponent(Map<String, Object> properties) {
        ConfigReader r = new ConfigReader(ConfigReader.source(properties, PID), KEYS, properties);
        r.warnings().forEach(w -> LOG.report(System.Logger.Level.WARNING, w));
        // thrown: SCR logs it (the runtime folds that into one line); logging it here too would say it twice
        r.check();
        this.importer = GlImporter.create(EglPlatform.parse(r.text("egl.platform")), r.bool("enabled"));
    }

    @Deactivate
    void deactivate() {
        importer.close();
    }

    @Override
    public String name() {
        return importer.name();
    }

    @Override
    public boolean canImport(PlaneBuffer buffer) {
        return importer.canImport(buffer);
    }

    @Override
    public PlaneBuffer importToCpu(PlaneBuffer buffer) throws Exception {
        return importer.importToCpu(buffer);
    }
}
