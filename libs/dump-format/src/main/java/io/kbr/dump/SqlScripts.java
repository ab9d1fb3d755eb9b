package io.kbr.dump;

import java.util.regex.Pattern;

/** The fixed parts of the dump's SQL: chunk headers, and DEFINER removal so the dump loads on another server. */
final class SqlScripts {
    private SqlScripts() {
    }

    /**
     * Every chunk starts with this, so chunks load in any order on any connection and their concatenation is a
     * valid script for the stock client: UTF-8, UTC for TIMESTAMP literals, 0 kept in AUTO_INCREMENT columns,
     * backslash escapes on, and no key checks while loading.
     */
    static final String HEADER = "-- kbr dump chunk (mysqldump-compatible SQL)\n"
            + "SET NAMES utf8mb4;\n"
            + "SET time_zone='+00:00';\n"
            + "SET sql_mode='NO_AUTO_VALUE_ON_ZERO';\n"
            + "SET foreign_key_checks=0;\n"
            + "SET unique_checks=0;\n";

    private static final Pattern DEFINER = Pattern.compile("\\s*DEFINER\\s*=\\s*(`[^`]*`|'[^']*'|[^\\s@]+)@(`[^`]*`|'[^']*'|[^\\s]+)");

    /**
     * Drops {@code DEFINER=user@host} from a CREATE VIEW/TRIGGER/PROCEDURE/FUNCTION: the object then belongs to
     * the account that loads the dump, which exists on the target by definition.
     */
    static String withoutDefiner(String ddl) {
        return DEFINER.matcher(ddl).replaceFirst("");
    }
}
