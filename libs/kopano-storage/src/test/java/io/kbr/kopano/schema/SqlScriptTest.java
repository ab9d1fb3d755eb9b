package io.kbr.kopano.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlScriptTest {

    @Test
    void splitsOnSemicolonsAtLineEndAndSkipsCommentsBetweenStatements() {
        SqlScript script = SqlScript.parse("t.sql", """
                -- a comment; with a semicolon
                CREATE TABLE a (
                  x INT -- trailing comment
                ) ENGINE=InnoDB;

                INSERT INTO a VALUES (1), (2);
                """);

        assertThat(script.statements()).containsExactly(
                "CREATE TABLE a (\n  x INT -- trailing comment\n) ENGINE=InnoDB",
                "INSERT INTO a VALUES (1), (2)");
    }

    @Test
    void delimiterLinesLetProcedureBodiesContainSemicolons() {
        SqlScript script = SqlScript.parse("p.sql", """
                DELIMITER $$
                DROP PROCEDURE IF EXISTS p$$
                CREATE PROCEDURE p()
                BEGIN
                  -- inside the body; kept
                  SELECT 1;
                END$$
                DELIMITER ;
                """);

        assertThat(script.statements()).containsExactly(
                "DROP PROCEDURE IF EXISTS p",
                "CREATE PROCEDURE p()\nBEGIN\n  -- inside the body; kept\n  SELECT 1;\nEND");
    }

    @Test
    void aStatementWithoutDelimiterIsAnError() {
        assertThatThrownBy(() -> SqlScript.parse("bad.sql", "SELECT 1\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bad.sql");
    }

    @Test
    void theSchemaResourcesHaveTheExpectedStatements() {
        assertThat(SqlScript.load("tables.sql").statements())
                .hasSize(KopanoSchema.TABLES.size())
                .allSatisfy(s -> assertThat(s).startsWith("CREATE TABLE "))
                .extracting(s -> s.substring("CREATE TABLE ".length(), s.indexOf(' ', "CREATE TABLE ".length())))
                .containsExactlyElementsOf(KopanoSchema.TABLES);
        assertThat(SqlScript.load("default-rows.sql").statements())
                .hasSize(7)
                .allSatisfy(s -> assertThat(s).startsWith("INSERT INTO "));
        // one DROP PROCEDURE IF EXISTS + one CREATE PROCEDURE per procedure, as kopano-server does (§1.3)
        assertThat(SqlScript.load("procedures.sql").statements())
                .hasSize(2 * KopanoSchema.PROCEDURES.size())
                .filteredOn(s -> s.startsWith("CREATE PROCEDURE "))
                .extracting(s -> s.substring("CREATE PROCEDURE ".length(), s.indexOf('(')))
                .containsExactlyElementsOf(KopanoSchema.PROCEDURES);
    }
}
