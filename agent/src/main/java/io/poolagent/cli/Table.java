package io.poolagent.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Columns padded to their widest cell, two spaces apart, as psql prints them but without the rules.
 * A column holding only numbers is right-aligned, so that units line up under units. Headers all empty:
 * no header line (a list of labelled values).
 */
final class Table {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+|-");

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... headers) {
        columns = headers.length;
        rows.add(headers);
    }

    /** A row; missing or null cells print empty. */
    Table row(Object... cells) {
        String[] row = new String[columns];
        for (int i = 0; i < columns; i++) {
            row[i] = i < cells.length && cells[i] != null ? String.valueOf(cells[i]) : "";
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.size() == 1;
    }

    void print(PrintStream out, String indent) {
        lines(indent).forEach(out::println);
    }

    List<String> lines(String indent) {
        int[] widths = new int[columns];
        boolean[] numeric = new boolean[columns];
        for (int c = 0; c < columns; c++) {
            numeric[c] = !isEmpty();
            for (int r = 0; r < rows.size(); r++) {
                String cell = rows.get(r)[c];
                widths[c] = Math.max(widths[c], cell.length());
                numeric[c] &= r == 0 || NUMBER.matcher(cell).matches();
            }
        }
        List<String> lines = new ArrayList<>();
        boolean headed = Arrays.stream(rows.get(0)).anyMatch(header -> !header.isEmpty());
        for (String[] row : headed ? rows : rows.subList(1, rows.size())) {
            lines.add(line(row, widths, numeric, indent));
        }
        return lines;
    }

    private static String line(String[] row, int[] widths, boolean[] numeric, String indent) {
        StringBuilder line = new StringBuilder(indent);
        for (int c = 0; c < row.length; c++) {
            String padding = " ".repeat(widths[c] - row[c].length());
            line.append(c == 0 ? "" : "  ").append(numeric[c] ? padding + row[c] : row[c] + padding);
        }
        return line.toString().stripTrailing();
    }
}
