package io.kbr.dump;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns the rows of one table into canonical SQL tuples {@code (v1,v2,…)}: integers as digits, binary data as
 * {@code 0x…} hex, text as an escaped UTF-8 string literal, temporal, decimal and floating values as the server
 * prints them ({@code CAST(… AS CHAR)}, so no client-side conversion or time zone is involved). The same form is
 * the INSERT payload of the dump and the input of {@link TableChecksum}, at dump time and after a load.
 */
public final class RowFormatter {

    private static final Set<String> INTEGER = Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint");
    private static final Set<String> SERVER_PRINTED_NUMBER = Set.of("decimal", "numeric", "float", "double", "real");
    private static final Set<String> BINARY = Set.of("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob");
    private static final Set<String> TEMPORAL = Set.of("date", "datetime", "timestamp", "time", "year");

    private enum Kind { NUMBER, BINARY, STRING }

    private final String table;
    private final List<String> columns;
    private final Kind[] kinds;
    private final String select;

    private RowFormatter(String table, List<String> columns, Kind[] kinds, String select) {
        this.table = table;
        this.columns = columns;
        this.kinds = kinds;
        this.select = select;
    }

    /** Reads the column types of {@code table} in the connection's current schema. */
    public static RowFormatter of(Connection c, String table) throws SQLException {
        List<String> names = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>();
        StringBuilder select = new StringBuilder("SELECT ");
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String type = rs.getString(2).toLowerCase(Locale.ROOT);
                    if (!names.isEmpty()) {
                        select.append(", ");
                    }
                    String q = quoteName(name);
                    Kind kind;
                    if (INTEGER.contains(type)) {
                        kind = Kind.NUMBER;
                        select.append(q);
                    } else if (SERVER_PRINTED_NUMBER.contains(type)) {
                        kind = Kind.NUMBER;
                        select.append("CAST(").append(q).append(" AS CHAR)");
                    } else if (type.equals("bit")) {
                        kind = Kind.NUMBER;
                        select.append("CAST(").append(q).append(" AS UNSIGNED)");
                    } else if (BINARY.contains(type)) {
                        kind = Kind.BINARY;
                        select.append(q);
                    } else if (TEMPORAL.contains(type)) {
                        kind = Kind.STRING;
                        select.append("CAST(").append(q).append(" AS CHAR)");
                    } else {
                        kind = Kind.STRING;
                        select.append(q);
                    }
                    names.add(name);
                    kinds.add(kind);
                }
            }
        }
        if (names.isEmpty()) {
            throw new DumpException("Table " + table + " has no columns in information_schema (does it exist?)");
        }
        select.append(" FROM ").append(quoteName(table));
        return new RowFormatter(table, List.copyOf(names), kinds.toArray(Kind[]::new), select.toString());
    }

    public String table() {
        return table;
    }

    public List<String> columns() {
        return columns;
    }

    /** The SELECT that reads every row in the form {@link #appendRow} expects. */
    public String select() {
        return select;
    }

    /** Appends the current row as {@code (v1,v2,…)}. */
    void appendRow(ResultSet rs, ByteBuffer out) throws SQLException {
        out.append((byte) '(');
        for (int i = 0; i < kinds.length; i++) {
            if (i > 0) {
                out.append((byte) ',');
            }
            switch (kinds[i]) {
                case NUMBER -> {
                    String v = rs.getString(i + 1);
                    if (v == null) {
                        out.ascii("NULL");
                    } else {
                        out.ascii(v);
                    }
                }
                case BINARY -> {
                    byte[] v = rs.getBytes(i + 1);
                    if (v == null) {
                        out.ascii("NULL");
                    } else {
                        out.hexLiteral(v);
                    }
                }
                case STRING -> {
                    String v = rs.getString(i + 1);
                    if (v == null) {
                        out.ascii("NULL");
                    } else {
                        out.stringLiteral(v);
                    }
                }
            }
        }
        out.append((byte) ')');
    }

    static String quoteName(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
