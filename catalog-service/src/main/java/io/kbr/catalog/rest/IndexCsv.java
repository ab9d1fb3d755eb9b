package io.kbr.catalog.rest;

import io.kbr.catalog.model.ItemSummary;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.List;

/**
 * The CSV of an index export (RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a comma, a
 * quote or a line break, quotes doubled). The first four columns mean what {@code kopano-backup --index} prints
 * (sourcekey, folder path, last modification, subject); the sender and the rest follow.
 */
final class IndexCsv {
    static final List<String> HEADER = List.of("sourcekey", "folder", "last_modified", "subject", "sender_name", "sender_email",
            "delivery_time", "size", "deleted");

    private IndexCsv() {
    }

    static void header(Writer out) throws IOException {
        row(out, HEADER);
    }

    static void item(Writer out, String folderPath, ItemSummary item) throws IOException {
        row(out, List.of(item.sourceKey(), folderPath, instant(item.lastModified()), nullToEmpty(item.subject()),
                nullToEmpty(item.senderName()), nullToEmpty(item.senderEmail()), instant(item.deliveryTime()),
                Long.toString(item.size()), item.hardDeleted() ? "hard" : item.softDeleted() ? "soft" : ""));
    }

    static void row(Writer out, List<String> fields) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(field(fields.get(i)));
        }
        out.write("\r\n");
    }

    static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    private static String instant(Instant at) {
        return at == null ? "" : at.toString();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
