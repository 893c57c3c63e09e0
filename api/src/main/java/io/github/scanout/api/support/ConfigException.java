package io.github.scanout.api.support;

import java.util.List;

/**
 * A configuration that cannot be honoured: its message is the first problem, one line naming
 * where the configuration came from, the key, the value and the rule (with a count of the
 * others); {@link #problems()} has them all.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Every problem, one line each. */
    private final List<String> problems;

    /** @param problems one line each; at least one */
    public ConfigException(List<String> problems) {
        super(problems.get(0) + (problems.size() == 1 ? ""
                : " (and " + (problems.size() - 1) + " more problem" + (problems.size() == 2 ? "" : "s") + ")"));
        this.problems = List.copyOf(problems);
    }

    /** {@return every problem, one line each} */
    public List<String> problems() {
        return problems;
    }
}
