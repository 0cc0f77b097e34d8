package io.poolagent.cli;

import io.poolagent.runtime.BuildInfo;

import java.io.File;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar pool-agent.jar COMMAND ...}: the operations commands. {@code AgentMain.main} loads this
 * class in the agent's own class loader (the commands live under {@code inst/} with the agent) and exits
 * with the code {@link #run} returns: 0 done (or fits), 1 failed (or does not fit), 2 bad usage.
 */
public final class Commands {

    private Commands() {
    }

    public static int run(String[] args) {
        return run(Arrays.asList(args), System.out, System.err);
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String command = args.isEmpty() ? "help" : args.get(0);
        List<String> rest = args.subList(Math.min(1, args.size()), args.size());
        try {
            switch (command) {
                case "help":
                case "--help":
                case "-h":
                    out.print(usage());
                    return 0;
                case "version":
                case "--version":
                    out.println("pool-agent " + BuildInfo.version());
                    return 0;
                case "plan":
                    return Plan.run(rest, out, err);
                case "doctor":
                    return Doctor.run(rest, out, err);
                default:
                    err.println("pool-agent: unknown command \"" + command + "\"");
                    err.print(usage());
                    return 2;
            }
        } catch (RuntimeException e) {
            // A bug of ours, not the user's input: one line, still no stack trace.
            err.println("pool-agent " + command + ": failed: " + e);
            return 1;
        }
    }

    static String usage() {
        return "pool-agent " + BuildInfo.version() + ": pools the PostgreSQL JDBC connections of a JVM service, with no"
                + " code change.\n"
                + "\n"
                + "Attach it (settings come from DB_* variables, e.g. DB_MAX_OPEN_CONNS=25):\n"
                + "  JAVA_TOOL_OPTIONS=\"-javaagent:" + jarPath() + "\"\n"
                + "\n"
                + "Commands:\n"
                + PlanArguments.help()
                + "  java -jar pool-agent.jar doctor --url jdbc:postgresql://HOST:PORT/DATABASE [--user NAME]\n"
                + "      shows who holds the server's connections (pg_stat_activity): by database, state, user,\n"
                + "      application and client, sessions idle in a transaction, the longest-running queries.\n"
                + "      The password comes from PGPASSWORD or a prompt, never from an argument.\n"
                + "      Exit 0 done, 1 cannot connect or query, 2 bad usage.\n"
                + "  java -jar pool-agent.jar --version\n"
                + "  java -jar pool-agent.jar help\n"
                + "\n"
                + "Docs: README.md in the project.\n";
    }

    /** Where this jar is, for a -javaagent line that can be pasted as it is. */
    private static String jarPath() {
        try {
            File jar = new File(Commands.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.isFile() ? jar.getPath() : "/opt/pool-agent/pool-agent.jar";
        } catch (Exception | LinkageError e) {
            return "/opt/pool-agent/pool-agent.jar";
        }
    }
}
