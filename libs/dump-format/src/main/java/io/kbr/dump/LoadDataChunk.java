package io.kbr.dump;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A data chunk's extended INSERT statements turned, client-side, into the input of {@code LOAD DATA LOCAL INFILE …
 * CHARACTER SET binary FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'} (the server's default
 * text format): one line per row, fields separated by a tab, {@code \N} for NULL. The server then stores the rows
 * without running its SQL parser over every value and without decoding hex literals (the attachment bytes in
 * {@code lob} are half of a Kopano database): the client decodes {@code 0x…} into the raw bytes here.
 *
 * <p>Values as kbr's {@link RowFormatter} writes them: {@code NULL}, numbers as digits, {@code 0x…} hex for binary
 * data, and quoted literals with backslash escapes. The conversion is exact for the whole SQL literal syntax the
 * loader may meet in a chunk: every SQL escape is mapped to the LOAD DATA escape meaning the same byte
 * ({@code \0 \b \n \r \t \Z \\}, {@code \' \"} to the plain quote, {@code \%}/{@code \_} keep their backslash as in
 * SQL, any other {@code \x} is {@code x}, a doubled quote is one quote), raw tabs inside literals become {@code \t},
 * raw bytes are copied (the file is read as {@code CHARACTER SET binary}, so no byte of binary data can be taken
 * for the lead byte of a multi-byte character that would swallow the escape after it). Anything else — a statement
 * that is not a {@code SET} or an {@code INSERT INTO} of the chunk's table, an unknown value form — makes
 * {@link #convert} return null, and the loader runs the chunk as SQL instead.
 */
final class LoadDataChunk {

    /** {@code SET …} statements of the chunk header (time zone, sql_mode, checks) to run before the LOAD DATA. */
    final List<String> settings;
    /** The table the rows go to; null when the chunk has no rows. */
    final String table;
    final byte[] data;
    final int length;
    final long rows;

    private LoadDataChunk(List<String> settings, String table, byte[] data, int length, long rows) {
        this.settings = settings;
        this.table = table;
        this.data = data;
        this.length = length;
        this.rows = rows;
    }

    /** The LOAD DATA statement for {@link #table}; the file name is a label, the driver sends the converted bytes. */
    String statement(String label) {
        return "LOAD DATA LOCAL INFILE '" + label.replace("\\", "\\\\").replace("'", "\\'") + "' INTO TABLE "
                + RowFormatter.quoteName(table)
                + " CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'";
    }

    private static final byte[] INSERT = "INSERT INTO `".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUES = " VALUES ".getBytes(StandardCharsets.US_ASCII);

    /**
     * @param expectedTable the chunk's table (manifest); every INSERT must name it
     * @return the converted chunk, or null when the chunk holds anything this conversion does not know exactly
     */
    static LoadDataChunk convert(byte[] sql, int length, String expectedTable) {
        List<String> settings = new ArrayList<>();
        ByteBuffer out = null;
        String table = null;
        long rows = 0;
        int pos = 0;
        while (pos < length) {
            int end = pos;
            while (end < length && sql[end] != '\n') {
                end++;
            }
            int lineEnd = end;
            while (lineEnd > pos && (sql[lineEnd - 1] == ' ' || sql[lineEnd - 1] == '\r')) {
                lineEnd--;
            }
            if (lineEnd == pos || startsWith(sql, pos, lineEnd, "-- ")) {
                // blank line or comment
            } else if (startsWith(sql, pos, lineEnd, INSERT)) {
                if (out == null) {
                    out = new ByteBuffer(Math.max(1024, length));
                }
                int p = pos + INSERT.length;
                StringBuilder name = new StringBuilder();
                int nameStart = p;
                while (true) {
                    if (p >= lineEnd) {
                        return null;
                    }
                    if (sql[p] == '`') {
                        if (p + 1 < lineEnd && sql[p + 1] == '`') {
                            p += 2;
                            continue;
                        }
                        break;
                    }
                    p++;
                }
                name.append(new String(sql, nameStart, p - nameStart, StandardCharsets.UTF_8).replace("``", "`"));
                p++;
                if (table == null) {
                    table = name.toString();
                    if (expectedTable != null && !table.equals(expectedTable)) {
                        return null;
                    }
                } else if (!table.contentEquals(name)) {
                    return null;
                }
                if (!startsWith(sql, p, lineEnd, VALUES)) {
                    return null;
                }
                p += VALUES.length;
                long n = tuples(sql, p, lineEnd, out);
                if (n < 0) {
                    return null;
                }
                rows += n;
            } else if (startsWithIgnoreCase(sql, pos, lineEnd, "SET ") && sql[lineEnd - 1] == ';') {
                String stmt = new String(sql, pos, lineEnd - 1 - pos, StandardCharsets.UTF_8);
                if (!stmt.regionMatches(true, 0, "SET NAMES", 0, 9)) { // the JDBC connection keeps its own charset
                    settings.add(stmt);
                }
            } else {
                return null;
            }
            pos = end + 1;
        }
        return new LoadDataChunk(List.copyOf(settings), table, out == null ? new byte[0] : out.bytes,
                out == null ? 0 : out.length, rows);
    }

    /** Converts {@code (…),(…);} from {@code p} to the line end; returns the number of rows, or -1. */
    private static long tuples(byte[] s, int p, int end, ByteBuffer out) {
        long rows = 0;
        while (true) {
            if (p >= end || s[p] != '(') {
                return -1;
            }
            p++;
            while (true) {
                p = value(s, p, end, out);
                if (p < 0 || p >= end) {
                    return -1;
                }
                if (s[p] == ',') {
                    out.append((byte) '\t');
                    p++;
                } else if (s[p] == ')') {
                    out.append((byte) '\n');
                    p++;
                    rows++;
                    break;
                } else {
                    return -1;
                }
            }
            if (p >= end) {
                return -1;
            }
            if (s[p] == ',') {
                p++;
            } else if (s[p] == ';' && p + 1 == end) {
                return rows;
            } else {
                return -1;
            }
        }
    }

    /** Converts one value starting at {@code p}; returns the position after it, or -1. */
    private static int value(byte[] s, int p, int end, ByteBuffer out) {
        if (p >= end) {
            return -1;
        }
        byte b = s[p];
        if (b == '\'') {
            return string(s, p + 1, end, out);
        }
        if (b == 'N') {
            if (p + 4 <= end && s[p + 1] == 'U' && s[p + 2] == 'L' && s[p + 3] == 'L') {
                out.append((byte) '\\').append((byte) 'N');
                return p + 4;
            }
            return -1;
        }
        if (b == '0' && p + 1 < end && (s[p + 1] == 'x' || s[p + 1] == 'X')) {
            return hex(s, p + 2, end, out);
        }
        int start = p;
        while (p < end && s[p] != ',' && s[p] != ')') {
            byte c = s[p];
            if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
                return -1;
            }
            p++;
        }
        if (p == start) {
            return -1;
        }
        out.append(s, start, p - start);
        return p;
    }

    /** Hex digit values, -1 for any other byte (a table: random data makes digit branches unpredictable). */
    private static final byte[] HEX_VALUE = new byte[256];
    /** For each byte: 0 when it is copied as is, else the letter after the backslash that replaces it. */
    private static final byte[] ESCAPE = new byte[256];

    static {
        java.util.Arrays.fill(HEX_VALUE, (byte) -1);
        for (int i = 0; i < 10; i++) {
            HEX_VALUE['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            HEX_VALUE['A' + i] = (byte) (10 + i);
            HEX_VALUE['a' + i] = (byte) (10 + i);
        }
        ESCAPE[0] = '0';
        ESCAPE['\t'] = 't';
        ESCAPE['\n'] = 'n';
        ESCAPE['\\'] = '\\';
    }

    private static int hex(byte[] s, int p, int end, ByteBuffer out) {
        int start = p;
        while (p < end && HEX_VALUE[s[p] & 0xFF] >= 0) {
            p++;
        }
        int n = p - start;
        if (n == 0 || (n & 1) != 0) {
            return -1;
        }
        out.ensure(n); // at most two output bytes per input byte pair
        byte[] d = out.bytes;
        int o = out.length;
        for (int i = start; i < p; i += 2) {
            int x = HEX_VALUE[s[i] & 0xFF] << 4 | HEX_VALUE[s[i + 1] & 0xFF];
            byte e = ESCAPE[x];
            if (e == 0) {
                d[o++] = (byte) x;
            } else {
                d[o++] = '\\';
                d[o++] = e;
            }
        }
        out.length = o;
        return p;
    }

    /** One raw byte of a field, escaped where LOAD DATA would otherwise read it as syntax. */
    private static void escaped(ByteBuffer out, byte x) {
        byte e = ESCAPE[x & 0xFF];
        if (e == 0) {
            out.append(x);
        } else {
            out.append((byte) '\\').append(e);
        }
    }

    private static int string(byte[] s, int p, int end, ByteBuffer out) {
        while (p < end) {
            // fast path: bytes that are copied as they are (not a quote, backslash or raw tab)
            int run = p;
            while (run < end) {
                byte c = s[run];
                if (c == '\'' || c == '\\' || c == '\t') {
                    break;
                }
                run++;
            }
            if (run > p) {
                out.append(s, p, run - p);
                p = run;
                if (p >= end) {
                    break;
                }
            }
            byte b = s[p];
            if (b == '\'') {
                if (p + 1 < end && s[p + 1] == '\'') { // '' inside a literal is one quote
                    out.append((byte) '\'');
                    p += 2;
                    continue;
                }
                return p + 1;
            }
            if (b == '\\') {
                if (p + 1 >= end) {
                    return -1;
                }
                byte e = s[p + 1];
                switch (e) {
                    case '0' -> escaped(out, (byte) 0);
                    case 'b' -> out.append((byte) '\\').append((byte) 'b');
                    case 'n' -> escaped(out, (byte) '\n');
                    case 'r' -> out.append((byte) '\\').append((byte) 'r');
                    case 't' -> escaped(out, (byte) '\t');
                    case 'Z' -> out.append((byte) '\\').append((byte) 'Z');
                    case '%', '_' -> out.append((byte) '\\').append((byte) '\\').append(e); // SQL keeps the backslash
                    default -> escaped(out, e); // \' \" \\ and any other \x mean x
                }
                p += 2;
                continue;
            }
            escaped(out, b);
            p++;
        }
        return -1;
    }

    private static boolean startsWith(byte[] s, int p, int end, byte[] prefix) {
        if (end - p < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (s[p + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] s, int p, int end, String prefix) {
        return startsWith(s, p, end, prefix.getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean startsWithIgnoreCase(byte[] s, int p, int end, String prefix) {
        if (end - p < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toUpperCase((char) s[p + i]) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
