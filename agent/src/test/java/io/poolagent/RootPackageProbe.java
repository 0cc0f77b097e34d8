package io.poolagent;

/** Not a test: a probe for the layering test. A class in the root package, which must stay empty. */
public final class RootPackageProbe {

    private RootPackageProbe() {
    }
}
