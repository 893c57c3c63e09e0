package io.github.scanout.core.internal.pipeline;

import dagger.Module;
import dagger.Provides;
import io.github.scanout.api.support.ConditionLog;
import io.github.scanout.api.support.Reporter;
import jakarta.inject.Named;
import java.util.concurrent.TimeUnit;

/** The bindings of {@link PipelineGraph} that are not {@code @Inject} constructors. */
@Module
final class PipelineModule {
    private PipelineModule() {}

    /** Seconds between summaries of a repeating log condition. */
    static final long SUMMARY_SECONDS = 10;

    @Provides
    @PipelineScope
    static ConditionLog log(Reporter reporter, Clock clock) {
        return ConditionLog.summarizing(reporter, clock::nanoTime, TimeUnit.SECONDS.toNanos(SUMMARY_SECONDS));
    }

    @Provides
    @Named("primary")
    static ChangeDetector primaryCheck() {
        return new ChangeDetector();
    }

    @Provides
    @Named("cursor")
    static ChangeDetector cursorCheck() {
        return new ChangeDetector();
    }
}
