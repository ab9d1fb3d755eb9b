package io.kbr.dump;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Executes a dump chunk over JDBC the way the {@code mariadb} client would: statements end with the current
 * delimiter at the end of a line, and {@code DELIMITER x} lines change it (post-data chunks use {@code ;;}
 * around routine bodies). Data chunks have one statement per line — string literals never hold a raw newline.
 */
final class ScriptRunner {
    private ScriptRunner() {
    }

    static int run(Connection c, byte[] sql, int length, String what) throws SQLException {
        String delimiter = ";";
        StringBuilder pending = new StringBuilder();
        int statements = 0;
        try (Statement s = c.createStatement()) {
            s.setEscapeProcessing(false); // the driver would otherwise scan every 1 MB INSERT for JDBC {escapes}
            int pos = 0;
            while (pos < length) {
                int end = pos;
                while (end < length && sql[end] != '\n') {
                    end++;
                }
                String line = new String(sql, pos, end - pos, StandardCharsets.UTF_8);
                pos = end + 1;
                if (pending.isEmpty() && (line.isBlank() || line.startsWith("-- "))) {
                    continue;
                }
                if (pending.isEmpty() && line.startsWith("DELIMITER ")) {
                    delimiter = line.substring("DELIMITER ".length()).trim();
                    continue;
                }
                String trimmed = line.stripTrailing();
                if (trimmed.endsWith(delimiter)) {
                    pending.append(trimmed, 0, trimmed.length() - delimiter.length());
                    String stmt = pending.toString();
                    pending.setLength(0);
                    if (stmt.regionMatches(true, 0, "SET NAMES", 0, 9)) {
                        continue; // the JDBC connection already speaks utf8mb4; the driver must stay in charge of it
                    }
                    try {
                        s.execute(stmt);
                    } catch (SQLException e) {
                        throw new SQLException("Loading " + what + " failed at statement " + (statements + 1) + " ("
                                + abbreviate(stmt) + "): " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
                    }
                    statements++;
                } else {
                    pending.append(line).append('\n');
                }
            }
        }
        if (!pending.toString().isBlank()) {
            throw new DumpException(what + " ends inside a statement: " + abbreviate(pending.toString()));
        }
        return statements;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }
}
