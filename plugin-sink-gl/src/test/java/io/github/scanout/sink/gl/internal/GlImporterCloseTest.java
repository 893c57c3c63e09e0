package io.github.scanout.sink.gl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Closing the importer while GL is still starting (EGL took 35 s in the emulated test guest) does
 * not wait for the start nor call it a failure; what the start made is freed once it is done.
 */
class GlImporterCloseTest {

    @Test
    void closingWhileGlStartsReturnsAtOnceAndTheContextIsFreedAfterTheStart() throws Exception {
        CountDownLatch letStart = new CountDownLatch(1);
        AtomicBoolean contextClosed = new AtomicBoolean();
        AtomicBoolean startWentOn = new AtomicBoolean();
        GlTestSupport.assumeHeadlessGl();
        GlImporter importer = new GlImporter(() -> {
            try {
                letStart.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            GlContext real = EglHeadless.create(EglPlatform.AUTO);
            return new GlContext() {
                @Override public void makeCurrent() { real.makeCurrent(); }
                @Override public void releaseCurrent() { real.releaseCurrent(); }
                @Override public String description() { return real.description(); }
                @Override public Optional<EglImportApi> importApi() {
                    startWentOn.set(true);
                    return real.importApi();
                }
                @Override public void close() {
                    real.close();
                    contextClosed.set(true);
                }
            };
        }, true);
        importer.close(); // GL still starting: returns without waiting for it
        assertThat(importer.ready().isDone()).as("still starting when close returned").isFalse();
        letStart.countDown();
        // the start makes its context, sees the close and stops there (nothing more is loaded or
        // said: the bundle may be gone); the release frees the context
        assertThat(importer.ready().get(60, TimeUnit.SECONDS)).as("imports nothing once closed").isFalse();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!contextClosed.get() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(contextClosed).as("the context the start made is closed").isTrue();
        assertThat(startWentOn).as("the start stopped after making its context (it loaded no importer)").isFalse();
    }
}
