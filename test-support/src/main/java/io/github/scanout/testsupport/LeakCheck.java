package io.github.scanout.testsupport;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test which leaves something behind: it takes a snapshot of
 * what the process holds before each test and, after it, asks what is held now that was not
 * then. With core's counters (fds by number and target, mapped bytes, live mappings, live
 * leases):
 *
 * <pre>{@code
 * @RegisterExtension
 * final LeakCheck<Resources.Usage> leaks = LeakCheck.of(Resources::usage, Resources::leaksSince);
 * }</pre>
 *
 * This module depends on the api only (so sim and core can use its other fixtures), which is why
 * the counters are passed in rather than named here.
 *
 * <p>Threads: JUnit's; use one instance per test class instance (a non-static field).
 *
 * @param <S> the snapshot type
 */
public final class LeakCheck<S> implements BeforeEachCallback, AfterEachCallback {
    private final Supplier<S> snapshot;
    private final Function<S, List<String>> leaksSince;
    private S before;

    private LeakCheck(Supplier<S> snapshot, Function<S, List<String>> leaksSince) {
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
        this.leaksSince = Objects.requireNonNull(leaksSince, "leaksSince");
    }

    /**
     * @param snapshot what the process holds now
     * @param leaksSince what is held now that was not in the given snapshot, one line each; empty
     *     when nothing leaked
     */
    public static <S> LeakCheck<S> of(Supplier<S> snapshot, Function<S, List<String>> leaksSince) {
        return new LeakCheck<>(snapshot, leaksSince);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        before = snapshot.get();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            return; // the test's own failure says more; a leak after a failed assertion is expected
        }
        List<String> leaks = leaksSince.apply(before);
        if (!leaks.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " left behind: " + String.join("; ", leaks));
        }
    }

    /** What leaked since the test began, so far (for a check in the middle of a test). */
    public List<String> leaksSoFar() {
        return leaksSince.apply(before);
    }
}
