package io.kbr.dump;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.blobstore.ObjectStore;
import io.kbr.localservers.MariaDbServer;
import io.kbr.localservers.S3Server;
import io.kbr.localservers.SharedServers;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The loader's LOAD DATA LOCAL INFILE path ({@link LoadDataChunk}) against the SQL path on a table with every column
 * type a Kopano schema uses (and more): binary values made of tabs, newlines, backslashes, 0x00, 0x1A, quotes and
 * UTF-8 lead bytes followed by those, NULLs in every column, text with the same characters and 4-byte UTF-8,
 * the strings "NULL" and "\N", extreme numbers, dates and times. Both loads must equal the source byte for byte
 * (compared column by column, and by the manifest's content checksums), and the LOAD DATA path must actually have
 * been taken; a latin1 table falls back to SQL and still round-trips.
 */
class LoadDataRoundTripIT {

    private static MariaDbServer db;
    private static ObjectStore objects;
    private static BlobStore blobs;

    @BeforeAll
    static void servers() {
        db = SharedServers.mariaDb();
        S3Server s3 = SharedServers.s3();
        BlobStoreConfig config = BlobStoreConfig.of(s3.endpoint(), s3.accessKey(), s3.secretKey())
                .withRegion(s3.region()).withCreateBucket(true);
        objects = ObjectStore.create(config.withBucket("kbr-loaddata-it"));
        blobs = BlobStore.create(config.withBucket("kbr-loaddata-it-attachments"));
    }

    @AfterAll
    static void close() {
        objects.close();
        blobs.close();
    }

    private static final String[] COLUMNS = {"id", "ti", "si", "mi", "bi", "ubi", "dec", "fl", "dbl", "bn", "vb", "tb", "bl",
        "mb", "lb", "ch", "vc", "tt", "tx", "mt", "lt", "dt", "dtm", "dtm6", "ts", "tm", "yr", "en", "st"};

    @Test
    void everyColumnTypeRoundTripsExactlyThroughLoadDataAndThroughSql() throws Exception {
        db.createDatabase("ld_src");
        int rows = 600;
        try (Connection c = KopanoSource.connector(db, "ld_src").get(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE every_type (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                    + " ti TINYINT, si SMALLINT, mi MEDIUMINT, bi BIGINT, ubi BIGINT UNSIGNED, `dec` DECIMAL(30,10),"
                    + " fl FLOAT, dbl DOUBLE, bn BINARY(8), vb VARBINARY(300), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,"
                    + " ch CHAR(10), vc VARCHAR(255), tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT,"
                    + " dt DATE, dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP NULL, tm TIME, yr YEAR,"
                    + " en ENUM('a','b\\tc','ü'), st SET('x','y','z')) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
            s.execute("CREATE TABLE legacy_latin1 (id INT PRIMARY KEY, name VARCHAR(50), data BLOB)"
                    + " ENGINE=InnoDB DEFAULT CHARSET=latin1");
            s.execute("CREATE TABLE empty_table (id INT PRIMARY KEY, v VARBINARY(10)) ENGINE=InnoDB");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO legacy_latin1 VALUES (?, ?, ?)")) {
                for (int i = 0; i < 20; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "Müller\t" + i + "\\N");
                    ps.setBytes(3, new byte[] {(byte) 0xE9, '\\', '\t', 0, (byte) i});
                    ps.executeUpdate();
                }
            }
            Random r = new Random(7);
            byte[] nasty = {0, '\t', '\n', '\r', '\\', '\'', '"', 0x1A, (byte) 0xC3, '\\', (byte) 0xF0, '\t', (byte) 0xE2, '\n',
                (byte) 0xFF, '\\', 'N', '%', '_'};
            String nastyText = "tab\there\nnewline\r\\back'slash\"quote\u0000nul\u001Asub ü € 😀 \\N NULL % _ end";
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO every_type (" + String.join(",", quoted()) + ") VALUES ("
                    + "?,".repeat(COLUMNS.length - 1) + "?)")) {
                for (int i = 1; i <= rows; i++) {
                    boolean nulls = i % 7 == 0;
                    int k = 1;
                    ps.setInt(k++, i);
                    if (nulls) {
                        for (int j = 1; j < COLUMNS.length; j++) {
                            ps.setNull(k++, Types.NULL);
                        }
                        ps.addBatch();
                        continue;
                    }
                    ps.setInt(k++, i % 2 == 0 ? -128 : 127);
                    ps.setInt(k++, -32768 + i);
                    ps.setInt(k++, 8388607 - i);
                    ps.setLong(k++, i % 2 == 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
                    ps.setString(k++, "18446744073709551615");
                    ps.setString(k++, i % 2 == 0 ? "-12345678901234567890.0123456789" : "0.0000000001");
                    ps.setFloat(k++, i % 3 == 0 ? 1.1f : -1.5e38f);
                    ps.setDouble(k++, i % 3 == 0 ? Math.PI * i : 1e-300);
                    ps.setBytes(k++, new byte[] {0, '\t', '\n', '\\', (byte) 0xC3, '\\', 0x1A, (byte) i}); // BINARY(8)
                    byte[] bin = new byte[r.nextInt(300)];
                    r.nextBytes(bin);
                    System.arraycopy(nasty, 0, bin, 0, Math.min(nasty.length, bin.length));
                    ps.setBytes(k++, bin);
                    ps.setBytes(k++, i % 5 == 0 ? new byte[0] : nasty); // empty binary value
                    byte[] big = new byte[1000 + r.nextInt(20_000)];
                    r.nextBytes(big);
                    ps.setBytes(k++, big);
                    ps.setBytes(k++, allBytes(i));
                    ps.setBytes(k++, nasty);
                    ps.setString(k++, i % 5 == 0 ? "" : "c\t" + i);
                    ps.setString(k++, i % 11 == 0 ? "NULL" : i % 13 == 0 ? "\\N" : nastyText + i);
                    ps.setString(k++, "tiny\t" + i);
                    ps.setString(k++, i % 5 == 0 ? "" : nastyText.repeat(1 + i % 20));
                    ps.setString(k++, "😀".repeat(i));
                    ps.setString(k++, "trailing spaces kept   ");
                    ps.setString(k++, "2024-02-29");
                    ps.setString(k++, i % 2 == 0 ? "1000-01-01 00:00:00" : "9999-12-31 23:59:59");
                    ps.setString(k++, "2026-11-28 12:34:56.123456");
                    ps.setString(k++, "2030-01-01 00:00:00");
                    ps.setString(k++, i % 2 == 0 ? "-838:59:59" : "12:00:01");
                    ps.setInt(k++, 1901 + i % 254);
                    ps.setString(k++, i % 3 == 0 ? "b\tc" : "ü");
                    ps.setString(k++, i % 2 == 0 ? "" : "x,z");
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }

        // small chunks: several per table, so parallel LOAD DATA into the same table is exercised
        DumpManifest m = new DumpWriter(objects, blobs, DumpOptions.DEFAULTS.withChunkBytes(256 * 1024))
                .dump("it-loaddata", KopanoSource.connector(db, "ld_src"), null, null, DumpListener.NONE);
        long everyTypeChunks = m.chunks().stream().filter(c -> "every_type".equals(c.table())).count();
        assertThat(everyTypeChunks).isGreaterThan(3);

        db.createDatabase("ld_tgt_loaddata");
        LoadProgress viaLoadData = new LoadProgress();
        assertThat(new DumpLoader(objects, blobs, 3, true).restore(m, KopanoSource.loadConnector(db, "ld_tgt_loaddata"), null,
                viaLoadData)).isEmpty();
        assertThat(viaLoadData.loadDataChunks.get()).as("chunks of every_type loaded with LOAD DATA (latin1 falls back to SQL)")
                .isEqualTo(everyTypeChunks);

        db.createDatabase("ld_tgt_sql");
        LoadProgress viaSql = new LoadProgress();
        assertThat(new DumpLoader(objects, blobs, 3, false).restore(m, KopanoSource.loadConnector(db, "ld_tgt_sql"), null,
                viaSql)).isEmpty();
        assertThat(viaSql.loadDataChunks.get()).isZero();

        // a connection without allowLoadLocalInfile: the loader notices and loads SQL
        db.createDatabase("ld_tgt_plain");
        LoadProgress plain = new LoadProgress();
        assertThat(new DumpLoader(objects, blobs, 2).restore(m, KopanoSource.connector(db, "ld_tgt_plain"), null, plain)).isEmpty();
        assertThat(plain.loadDataChunks.get()).isZero();

        for (String target : List.of("ld_tgt_loaddata", "ld_tgt_sql")) {
            for (String table : List.of("every_type", "legacy_latin1")) {
                assertThat(rowsOf(target, table)).as(table + " in " + target).isEqualTo(rowsOf("ld_src", table));
            }
            assertThat(checksumTable(target, "every_type")).isEqualTo(checksumTable("ld_src", "every_type"));
        }
        assertThat(rowsOf("ld_src", "every_type")).hasSize(rows);
    }

    @Test
    void aChunkWithSomethingElseThanInsertsIsNotConverted() {
        byte[] sql = (SqlScripts.HEADER + "INSERT INTO `t` VALUES (1,'a\\tb',0x00FF,NULL),(2,'x''y',0x5C09,'');\n")
                .getBytes(StandardCharsets.UTF_8);
        LoadDataChunk c = LoadDataChunk.convert(sql, sql.length, "t");
        assertThat(c).isNotNull();
        assertThat(c.rows).isEqualTo(2);
        assertThat(c.settings).containsExactly("SET time_zone='+00:00'", "SET sql_mode='NO_AUTO_VALUE_ON_ZERO'",
                "SET foreign_key_checks=0", "SET unique_checks=0");
        byte[] expected = {'1', '\t', 'a', '\\', 't', 'b', '\t', '\\', '0', (byte) 0xFF, '\t', '\\', 'N', '\n',
            '2', '\t', 'x', '\'', 'y', '\t', '\\', '\\', '\\', 't', '\t', '\n'};
        assertThat(java.util.Arrays.copyOf(c.data, c.length)).isEqualTo(expected);
        byte[] other = (SqlScripts.HEADER + "INSERT INTO `t` VALUES (1,X'00');\n").getBytes(StandardCharsets.UTF_8);
        assertThat(LoadDataChunk.convert(other, other.length, "t")).isNull();
        byte[] wrongTable = (SqlScripts.HEADER + "INSERT INTO `u` VALUES (1);\n").getBytes(StandardCharsets.UTF_8);
        assertThat(LoadDataChunk.convert(wrongTable, wrongTable.length, "t")).isNull();
        byte[] ddl = (SqlScripts.HEADER + "DROP TABLE t;\n").getBytes(StandardCharsets.UTF_8);
        assertThat(LoadDataChunk.convert(ddl, ddl.length, "t")).isNull();
    }

    private static byte[] allBytes(int shift) {
        byte[] b = new byte[512];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i + shift);
        }
        return b;
    }

    private static List<String> quoted() {
        List<String> q = new ArrayList<>();
        for (String c : COLUMNS) {
            q.add("`" + c + "`");
        }
        return q;
    }

    /** Every row, every column as the server's exact bytes (HEX of the value as the server prints it, NULL kept apart from ''). */
    private static List<String> rowsOf(String database, String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = KopanoSource.connector(db, database).get(); Statement s = c.createStatement()) {
            List<String> cols = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                    + " AND TABLE_NAME = '" + table + "' ORDER BY ORDINAL_POSITION")) {
                while (rs.next()) {
                    cols.add("IFNULL(HEX(CAST(`" + rs.getString(1) + "` AS BINARY)), '<null>')");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT CONCAT_WS('|', " + String.join(", ", cols) + ") FROM `" + table + "` ORDER BY 1")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static long checksumTable(String database, String table) throws Exception {
        try (Connection c = KopanoSource.connector(db, database).get(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("CHECKSUM TABLE `" + table + "` EXTENDED")) {
            rs.next();
            return rs.getLong(2);
        }
    }
}
