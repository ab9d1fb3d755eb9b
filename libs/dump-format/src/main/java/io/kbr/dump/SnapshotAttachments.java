package io.kbr.dump;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the snapshot says about attachments (KOPANO-STORAGE.md §7): the backend from
 * {@code settings.attachment_storage}, {@code settings.server_guid}, every instance {@code singleinstances}
 * references (with its files_v2 filename), and for the database backend which instances have {@code lob} rows.
 */
record SnapshotAttachments(String storage, String serverGuidHex, TreeMap<Long, String> instances, Set<Long> lobInstances) {

    static SnapshotAttachments read(Connection c, boolean hasLob) throws SQLException {
        String storage = "database"; // §7.1: no or unknown value means database
        String guid = null;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, value FROM settings WHERE name IN ('attachment_storage', 'server_guid')")) {
            while (rs.next()) {
                if (rs.getString(1).equals("attachment_storage")) {
                    storage = new String(rs.getBytes(2), StandardCharsets.UTF_8);
                } else {
                    guid = HexFormat.of().formatHex(rs.getBytes(2));
                }
            }
        }
        TreeMap<Long, String> instances = new TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT instanceid, MAX(filename) FROM singleinstances GROUP BY instanceid")) {
            while (rs.next()) {
                instances.put(rs.getLong(1), rs.getString(2));
            }
        }
        Set<Long> lob = new HashSet<>();
        if (hasLob && kind(storage) == Kind.DATABASE) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT instanceid FROM lob")) {
                while (rs.next()) {
                    lob.add(rs.getLong(1));
                }
            }
        }
        return new SnapshotAttachments(storage, guid, instances, lob);
    }

    enum Kind { DATABASE, FILES_V1, FILES_V2 }

    static Kind kind(String storage) {
        if (storage.equals("files") || storage.startsWith("files_v1")) {
            return Kind.FILES_V1;
        }
        return storage.equals("files_v2") ? Kind.FILES_V2 : Kind.DATABASE;
    }

    /** L1 and L2 of files / files_v1-L1-L2 (§7.4). */
    static int[] fanOut(String storage) {
        if (storage.startsWith("files_v1-")) {
            String[] p = storage.substring("files_v1-".length()).split("-");
            if (p.length == 2) {
                try {
                    return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
                } catch (NumberFormatException e) {
                    // fall through to the default
                }
            }
        }
        return new int[] {10, 20};
    }
}
