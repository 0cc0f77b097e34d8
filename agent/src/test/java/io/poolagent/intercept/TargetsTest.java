package io.poolagent.intercept;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The table names its advice as strings (so that reading it loads nothing): each must exist. */
class TargetsTest {

    @Test
    void everyHookNamesAnAdviceClassThatExists() {
        List<String> missing = new ArrayList<>();
        for (Hook hook : Hook.values()) {
            for (String advice : List.of(hook.adviceClass(), hook.exitClass())) {
                try {
                    Class.forName(advice, false, TargetsTest.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    missing.add(hook + " -> " + advice);
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void everyTypeIsFoundByItsInternalName() {
        assertEquals(List.of(Targets.ALL.get(0)), Targets.byType().get("org/postgresql/Driver"));
        assertEquals(3, Targets.byType().get("java/sql/DriverManager").size());
    }

    @Test
    void aMethodMatchesOnlyWithItsFullDescriptor() {
        Targets.Target connect = Targets.ALL.get(0);
        assertEquals(true, connect.matches("connect", "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;"));
        // the same name and parameters, another return type: a version that changed it is not woven
        assertEquals(false, connect.matches("connect", "(Ljava/lang/String;Ljava/util/Properties;)Ljava/lang/Object;"));
        assertEquals(false, connect.matches("connect", "(Ljava/lang/String;Ljava/util/Properties;I)Ljava/sql/Connection;"));
    }
}
