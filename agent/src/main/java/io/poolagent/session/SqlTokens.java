package io.poolagent.session;

/**
 * Splits PostgreSQL SQL into the few kinds of token {@link SqlClassifier} needs, without allocating.
 *
 * <p>What must be exact is where string literals, quoted names and comments begin and end: a statement
 * hidden inside a literal that is not one (or the reverse) would be misread. The rules follow PostgreSQL's
 * lexical structure (manual, "SQL Syntax", section "Lexical Structure"): '' doubles a quote, E'...' strings
 * take backslash escapes, dollar quotes ($$ or $tag$) hold anything up to the same tag, block comments
 * nest. With standard_conforming_strings off (not the default since 9.1) a backslash would escape a quote
 * in plain strings too; such a session is one of the tracked reset's documented blind spots.
 */
public final class SqlTokens {

    static final int END = 0;
    static final int WORD = 1;
    /** A string constant; start and end delimit its contents, escapes unprocessed. */
    static final int STRING = 2;
    static final int SEMICOLON = 3;
    static final int OPEN = 4;
    static final int CLOSE = 5;
    static final int COMMA = 6;
    /** A double-quoted name. */
    static final int QUOTED_NAME = 7;
    static final int OTHER = 8;

    private final String sql;
    private final int length;
    private int position;

    /** The current token: its type and the range of its text. */
    int type;
    int start;
    int end;

    SqlTokens(String sql) {
        this.sql = sql;
        this.length = sql.length();
    }

    /** Advances to the next token and returns its type. */
    int next() {
        skipSpaceAndComments();
        if (position >= length) {
            return set(END, position, position);
        }
        char c = sql.charAt(position);
        if (c == '\'') {
            return string(position + 1, false);
        }
        if ((c == 'E' || c == 'e') && position + 1 < length && sql.charAt(position + 1) == '\'') {
            return string(position + 2, true);
        }
        if (c == '"') {
            return quotedName();
        }
        if (c == '$' && dollarTagEnd(position) > 0) {
            return dollarString();
        }
        if (isWordStart(c)) {
            int from = position;
            while (position < length && isWordPart(sql.charAt(position))) {
                position++;
            }
            return set(WORD, from, position);
        }
        position++;
        switch (c) {
            case ';': return set(SEMICOLON, position - 1, position);
            case '(': return set(OPEN, position - 1, position);
            case ')': return set(CLOSE, position - 1, position);
            case ',': return set(COMMA, position - 1, position);
            default: return set(OTHER, position - 1, position);
        }
    }

    /**
     * The SQL with every literal and comment replaced by a placeholder, for showing another session's query
     * (it may carry a password, as in ALTER ROLE ... PASSWORD '...', or personal data): strings ('...', E'...',
     * U&'...'), dollar-quoted bodies ($$...$$), numbers, comments, an unterminated quoted name. Names and $1
     * parameters stay. Whatever is unterminated is blanked to the end.
     */
    public static String blanked(String sql) {
        SqlTokens tokens = new SqlTokens(sql);
        StringBuilder out = new StringBuilder(sql.length());
        while (true) {
            int gap = tokens.position;
            tokens.skipSpaceAndComments();
            int from = tokens.position;
            String between = sql.substring(gap, from); // space, or comments too
            out.append(between.isBlank() ? between : " /*...*/ ");
            int type = tokens.next();
            if (type == END) {
                return out.toString();
            }
            if (type == STRING) {
                out.append(sql.charAt(from) == '$' ? "$$...$$" : sql.substring(from, tokens.start) + "...'");
            } else if (type == QUOTED_NAME && tokens.position == tokens.end) { // no closing quote: blanked
                out.append("\"...\"");
            } else if (Character.isDigit(sql.charAt(from)) && (from == 0 || !isWordPart(sql.charAt(from - 1)))) {
                tokens.position = endOfNumber(sql, from);
                out.append('?');
            } else {
                out.append(sql, from, tokens.position);
            }
        }
    }

    /** Past a number: digits, a point, an exponent with its sign, hex, octal and binary forms, '_' separators. */
    private static int endOfNumber(String sql, int start) {
        int i = start;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            boolean sign = (c == '+' || c == '-') && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E');
            if (!Character.isLetterOrDigit(c) && c != '.' && c != '_' && !sign) {
                return i;
            }
            i++;
        }
        return i;
    }

    /** True when the current token is the word {@code lowerCase}, in any case. */
    boolean isWord(String lowerCase) {
        return type == WORD && end - start == lowerCase.length()
                && sql.regionMatches(true, start, lowerCase, 0, lowerCase.length());
    }

    /**
     * True when the current token names {@code lowerCase}: the word in any case, or the double-quoted name
     * exactly (PostgreSQL folds unquoted names to lower case, and keeps quoted ones as written).
     */
    boolean isName(String lowerCase) {
        return isWord(lowerCase) || type == QUOTED_NAME && end - start == lowerCase.length()
                && sql.startsWith(lowerCase, start);
    }

    /** True when the current token is a string whose contents are {@code lowerCase}, in any case. */
    boolean isString(String lowerCase) {
        return type == STRING && end - start == lowerCase.length()
                && sql.regionMatches(true, start, lowerCase, 0, lowerCase.length());
    }

    private int set(int type, int start, int end) {
        this.type = type;
        this.start = start;
        this.end = end;
        return type;
    }

    private void skipSpaceAndComments() {
        while (position < length) {
            char c = sql.charAt(position);
            if (Character.isWhitespace(c)) {
                position++;
            } else if (c == '-' && position + 1 < length && sql.charAt(position + 1) == '-') {
                while (position < length && sql.charAt(position) != '\n') {
                    position++;
                }
            } else if (c == '/' && position + 1 < length && sql.charAt(position + 1) == '*') {
                skipBlockComment();
            } else {
                return;
            }
        }
    }

    /** Block comments nest in PostgreSQL. An unterminated one runs to the end. */
    private void skipBlockComment() {
        int depth = 0;
        while (position < length) {
            if (sql.startsWith("/*", position)) {
                depth++;
                position += 2;
            } else if (sql.startsWith("*/", position)) {
                depth--;
                position += 2;
                if (depth == 0) {
                    return;
                }
            } else {
                position++;
            }
        }
    }

    private int string(int contentStart, boolean backslashEscapes) {
        int i = contentStart;
        while (i < length) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == '\'') {
                if (i + 1 < length && sql.charAt(i + 1) == '\'') {
                    i += 2;
                } else {
                    position = i + 1;
                    return set(STRING, contentStart, i);
                }
            } else {
                i++;
            }
        }
        position = length;
        return set(STRING, contentStart, length);
    }

    private int quotedName() {
        int i = position + 1;
        while (i < length) {
            if (sql.charAt(i) == '"') {
                if (i + 1 < length && sql.charAt(i + 1) == '"') {
                    i += 2;
                    continue;
                }
                int from = position + 1;
                position = i + 1;
                return set(QUOTED_NAME, from, i);
            }
            i++;
        }
        int from = position + 1;
        position = length;
        return set(QUOTED_NAME, from, length);
    }

    private int dollarString() {
        int tagEnd = dollarTagEnd(position);
        String tag = sql.substring(position, tagEnd);
        int close = sql.indexOf(tag, tagEnd);
        int contentEnd = close < 0 ? length : close;
        position = close < 0 ? length : close + tag.length();
        return set(STRING, tagEnd, contentEnd);
    }

    /**
     * The index just past a dollar-quote tag ($$ or $tag$) starting at {@code at}, or -1 when the dollar
     * sign starts none ($1 is a parameter; a tag cannot start with a digit).
     */
    private int dollarTagEnd(int at) {
        int i = at + 1;
        if (i < length && sql.charAt(i) == '$') {
            return i + 1;
        }
        if (i >= length || !isWordStart(sql.charAt(i))) {
            return -1;
        }
        while (i < length && isWordPart(sql.charAt(i)) && sql.charAt(i) != '$') {
            i++;
        }
        return i < length && sql.charAt(i) == '$' ? i + 1 : -1;
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isWordPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }
}
