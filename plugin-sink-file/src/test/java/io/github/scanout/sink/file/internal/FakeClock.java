package io.github.scanout.sink.file.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** A nanosecond clock that only moves when told. */
final class FakeClock implements LongSupplier {
    private long now = 1_000_000_000L;

    @Override
    public long getAsLong() {
        return now;
    }

    void advanceMillis(long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    long now() {
        return now;
    }
}
