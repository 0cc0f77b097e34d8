package io.poolagent.it.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Stops every child JVM a test left running, whether it passed or failed, so that a failed assertion
 * never leaves a JVM holding ports and server sessions for the tests after it. Registered for every test
 * through JUnit's extension auto-detection (see junit-platform.properties). A class marked
 * {@link ChildJvmsSpanTests} keeps its children until all its tests ran.
 */
public final class ChildJvmCleanup implements AfterEachCallback, AfterAllCallback {

    @Override
    public void afterEach(ExtensionContext context) {
        if (!context.getRequiredTestClass().isAnnotationPresent(ChildJvmsSpanTests.class)) {
            ChildJvm.stopAll();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ChildJvm.stopAll();
    }
}
