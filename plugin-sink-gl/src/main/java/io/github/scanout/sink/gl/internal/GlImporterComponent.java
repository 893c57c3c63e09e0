package io.github.scanout.sink.gl.internal;

import io.github.scanout.api.buffer.PlaneBuffer;
import io.github.scanout.api.importer.BufferImporter;
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
@Component(configurationPid = "io.github.scanout.importer.gl", configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = BufferImporter.class)
@Designate(ocd = GlImporterConfig.class)
public final class GlImporterComponent implements BufferImporter {
    private final GlImporter importer;

    @Activate
    public GlImporterComponent(GlImporterConfig config) {
        this.importer = GlImporter.create(EglPlatform.parse(config.egl_platform()), config.enabled());
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
