package io.poolagent.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A command's words, split into options ({@code --name value} or {@code --name=value}) and operands
 * (everything else, in order). Each command names the options it knows, with the form each expects, so
 * that an unknown, repeated or value-less option is refused with a line saying what was expected.
 */
final class Arguments {

    private final Map<String, String> options = new HashMap<>();
    private final List<String> operands = new ArrayList<>();

    private Arguments() {
    }

    /** {@code known}: option name to the form its value takes, as the error line words it. */
    static Arguments parse(List<String> words, Map<String, String> known) throws UsageException {
        Arguments parsed = new Arguments();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (!word.startsWith("--")) {
                parsed.operands.add(word);
                continue;
            }
            int equals = word.indexOf('=');
            String name = equals < 0 ? word : word.substring(0, equals);
            if (!known.containsKey(name)) {
                throw new UsageException("unknown option " + name + ": expected one of " + String.join(", ", known.keySet()));
            }
            if (equals < 0 && i + 1 == words.size()) {
                throw new UsageException(name + " has no value: expected " + known.get(name));
            }
            String value = equals < 0 ? words.get(++i) : word.substring(equals + 1);
            if (parsed.options.put(name, value) != null) {
                throw new UsageException(name + " is given twice: expected it once");
            }
        }
        return parsed;
    }

    /** The option's value, or null when it was not given. */
    String option(String name) {
        return options.get(name);
    }

    List<String> operands() {
        return operands;
    }
}
