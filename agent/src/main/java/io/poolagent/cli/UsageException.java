package io.poolagent.cli;

/**
 * Bad input on the command line. Its message is the one line the user sees (naming the argument, the bad
 * value and the expected form), and the command exits 2; it never reaches the user as a stack trace.
 */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String line) {
        super(line, null, false, false);
    }

    /** {@code --buffer="abc" is not valid: expected ...}: the settings' own wording (see Settings). */
    static UsageException invalid(String argument, String value, String expected) {
        return new UsageException(argument + "=\"" + value + "\" is not valid: expected " + expected);
    }
}
