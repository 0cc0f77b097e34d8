package io.poolagent.intercept;

/**
 * What the agent inserts into one woven method: calls to static methods, nothing else. Plain data, so that
 * reading the table in {@link Targets} at start-up loads no bytecode library; {@link HookWriter} turns it
 * into instructions when a target class loads.
 *
 * <ul>
 *   <li>{@code enter}: called first, with what {@link Pass} says. When it {@code returnsResult}, a non-null
 *       answer is returned at once and the original body does not run (a pooled connection).</li>
 *   <li>{@code always}: no arguments, called however the original body ends, by a return or a throw
 *       (undoing what {@code enter} set up for the body).</li>
 *   <li>{@code afterReturn}: called before every normal return with the method's first argument.</li>
 *   <li>{@code replaceReturn}: called before every normal return with the value returned, and returns
 *       what the caller gets instead.</li>
 * </ul>
 */
final class Hook {

    /** What {@code enter} is called with. */
    enum Pass {
        NOTHING, THIS, ARGUMENTS, THIS_AND_ARGUMENTS;

        boolean passesThis() {
            return this == THIS || this == THIS_AND_ARGUMENTS;
        }

        boolean passesArguments() {
            return this == ARGUMENTS || this == THIS_AND_ARGUMENTS;
        }
    }

    /** A static method, by internal class name, name and descriptor. */
    static final class Call {
        final String owner;
        final String name;
        final String descriptor;

        Call(String owner, String name, String descriptor) {
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
        }
    }

    final Call enter;
    final Pass pass;
    final boolean returnsResult;
    final Call always;
    final Call afterReturn;
    final Call replaceReturn;

    private Hook(Call enter, Pass pass, boolean returnsResult, Call always, Call afterReturn, Call replaceReturn) {
        this.enter = enter;
        this.pass = pass;
        this.returnsResult = returnsResult;
        this.always = always;
        this.afterReturn = afterReturn;
        this.replaceReturn = replaceReturn;
    }

    /** {@code enter} may answer for the method: a non-null result is returned without running the body. */
    static Hook answer(Call enter, Pass pass) {
        return new Hook(enter, pass, true, null, null, null);
    }

    /** {@code enter} is told, and returns nothing. */
    static Hook enter(Call enter, Pass pass) {
        return new Hook(enter, pass, false, null, null, null);
    }

    static Hook afterReturn(Call withFirstArgument) {
        return new Hook(null, Pass.NOTHING, false, null, withFirstArgument, null);
    }

    static Hook replaceReturn(Call filter) {
        return new Hook(null, Pass.NOTHING, false, null, null, filter);
    }

    /** The same hook, with {@code always} called when the original body ends, whichever way. */
    Hook thenAlways(Call exit) {
        return new Hook(enter, pass, returnsResult, exit, afterReturn, replaceReturn);
    }
}
