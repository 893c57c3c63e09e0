package io.github.scanout.runtime.testbundle;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** The activator of a broken bundle the tests build and drop into deploy/: its start throws. */
public final class ThrowingActivator implements BundleActivator {
    @Override
    public void start(BundleContext context) {
        throw new IllegalStateException("boom from the activator");
    }

    @Override
    public void stop(BundleContext context) {
        // never started
    }
}
