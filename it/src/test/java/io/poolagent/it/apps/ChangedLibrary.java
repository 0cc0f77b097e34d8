package io.poolagent.it.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * An application that ships a version of a pool library the agent does not know (a class of that name whose
 * target method has another signature), then connects through DriverManager. Args: CLASS URL USER PASSWORD.
 */
public final class ChangedLibrary {

    public static void main(String[] args) throws Exception {
        Class<?> library = Class.forName(args[0]);
        Object factory = library.getConstructor().newInstance();
        System.out.println("RESULT made=" + library.getMethod("makeObject").invoke(factory));
        for (int i = 0; i < 3; i++) {
            try (Connection c = DriverManager.getConnection(args[1], args[2], args[3]);
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
                rs.next();
                System.out.println("RESULT held" + i + "=" + Held.className(c));
            }
        }
    }
}
