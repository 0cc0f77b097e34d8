package io.poolagent.it.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * For a test class whose ordered tests share child JVMs (a fleet that loses and gains replicas):
 * {@link ChildJvmCleanup} stops them after the class instead of after each test.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ChildJvmsSpanTests {
}
