package io.poolagent.it.apps;

/** A JVM that never touches JDBC, like most sidecars and tools that JAVA_TOOL_OPTIONS reaches in a pod. */
public final class Hello {

    public static void main(String[] args) {
        System.out.println("RESULT hello=world");
    }
}
