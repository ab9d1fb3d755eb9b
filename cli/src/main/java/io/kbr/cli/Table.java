package io.kbr.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with right-aligned numbers, as kopano-backup prints its --stats. */
final class Table {
    private final List<String> headers;
    private final List<Boolean> numeric = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
        for (String h : headers) {
            numeric.add(Boolean.FALSE);
        }
    }

    Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("expected " + headers.size() + " cells, got " + cells.length);
        }
        List<String> r = new ArrayList<>();
        for (int i = 0; i < cells.length; i++) {
            Object c = cells[i];
            if (c instanceof Number || c instanceof Right) {
                numeric.set(i, Boolean.TRUE);
            }
            r.add(c == null ? "" : c instanceof Long || c instanceof Integer ? String.format("%,d", ((Number) c).longValue()) : c.toString());
        }
        rows.add(r);
        return this;
    }

    int size() {
        return rows.size();
    }

    String render() {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> r : rows) {
                widths[i] = Math.max(widths[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, headers, widths);
        for (List<String> r : rows) {
            line(sb, r, widths);
        }
        return sb.toString();
    }

    private void line(StringBuilder sb, List<String> cells, int[] widths) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                l.append("  ");
            }
            String c = cells.get(i);
            String pad = " ".repeat(widths[i] - c.length());
            l.append(numeric.get(i) ? pad + c : c + pad);
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }

    /** A cell aligned to the right like a number, e.g. a size. */
    record Right(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** A size cell: {@link #bytes} aligned right. */
    static Right size(long n) {
        return new Right(bytes(n));
    }

    /** Bytes as kopano-backup shows sizes: B, KiB, MiB, GiB with one decimal. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
