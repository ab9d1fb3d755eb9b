package io.kbr.kopano.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A SQL resource file cut into statements the way the mariadb client does it: statements end with
 * the current delimiter at the end of a line, and {@code DELIMITER x} lines change the delimiter (so
 * procedure bodies can contain {@code ;}). Whole-line {@code --} comments never end a statement.
 * JDBC then gets one statement per call and needs no DELIMITER.
 */
final class SqlScript {
    private final String resource;
    private final List<String> statements;

    private SqlScript(String resource, List<String> statements) {
        this.resource = resource;
        this.statements = List.copyOf(statements);
    }

    /** Loads a resource next to this class, e.g. {@code tables.sql}. */
    static SqlScript load(String name) {
        try (InputStream in = SqlScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("SQL resource io/kbr/kopano/schema/" + name + " is missing from the classpath");
            }
            return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SQL resource " + name, e);
        }
    }

    static SqlScript parse(String resource, String text) {
        List<String> statements = new ArrayList<>();
        String delimiter = ";";
        StringBuilder current = new StringBuilder();
        boolean hasCode = false;
        for (String line : text.split("\r?\n", -1)) {
            String trimmed = line.strip();
            if (!hasCode && trimmed.toUpperCase(Locale.ROOT).startsWith("DELIMITER ")) {
                delimiter = trimmed.substring("DELIMITER ".length()).strip();
                current.setLength(0);
                continue;
            }
            boolean comment = trimmed.startsWith("--") || trimmed.startsWith("#");
            if (!hasCode && (comment || trimmed.isEmpty())) {
                continue; // comments between statements are not sent to the server
            }
            if (!comment && trimmed.endsWith(delimiter)) {
                String last = line.substring(0, line.lastIndexOf(delimiter));
                current.append(last);
                statements.add(current.toString().strip());
                current.setLength(0);
                hasCode = false;
                continue;
            }
            current.append(line).append('\n');
            hasCode |= !comment && !trimmed.isEmpty();
        }
        if (hasCode) {
            throw new IllegalStateException("SQL resource " + resource + " ends with a statement that has no delimiter '" + delimiter + "'");
        }
        return new SqlScript(resource, statements);
    }

    List<String> statements() {
        return statements;
    }

    /** Runs every statement; a failure names the resource and the statement's first line. */
    void execute(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (int i = 0; i < statements.size(); i++) {
                String sql = statements.get(i);
                try {
                    st.execute(sql);
                } catch (SQLException e) {
                    String head = sql.lines().findFirst().orElse("");
                    throw new SQLException("statement " + (i + 1) + " of " + resource + " failed (" + head + "): " + e.getMessage(),
                            e.getSQLState(), e.getErrorCode(), e);
                }
            }
        }
    }
}
