package io.github.scanout.sink.gl.internal;

import java.util.Optional;

/** A real headless context whose EGL import calls go to a {@link FakeEgl}. */
final class FakeContext implements GlContext {
    private final GlContext real;
    private final EglImportApi fake;

    FakeContext(GlContext real, EglImportApi fake) {
        this.real = real;
        this.fake = fake;
    }

    static HeadlessDriver.ContextFactory factory(EglImportApi fake) {
        return () -> new FakeContext(EglHeadless.create(EglPlatform.AUTO), fake);
    }

    @Override
    public void makeCurrent() {
        real.makeCurrent();
    }

    @Override
    public void releaseCurrent() {
        real.releaseCurrent();
    }

    @Override
    public String description() {
        return real.description() + " with a fake EGL import layer";
    }

    @Override
    public Optional<EglImportApi> importApi() {
        return Optional.of(fake);
    }

    @Override
    public void close() {
        real.close();
    }
}
