package io.poolagent.log;

import java.util.Locale;

/**
 * The agent's one JSON writer, for its log lines and the {@code /pools} endpoint: fields appended to a builder,
 * strings escaped as RFC 8259 requires (quote, backslash, every control character).
 */
public final class Json {

    private Json() {
    }

    /** {@code "name":value}: numbers and booleans as they are, anything else as a JSON string. */
    public static StringBuilder field(StringBuilder json, String name, Object value) {
        string(json, name).append(':');
        if (value instanceof Number || value instanceof Boolean) {
            return json.append(value);
        }
        return string(json, String.valueOf(value));
    }

    private static StringBuilder string(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c == '\n') {
                json.append("\\n");
            } else if (c == '\t') {
                json.append("\\t");
            } else if (c < 0x20) {
                json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"');
    }
}
