package io.kbr.catalog.persistence;

import io.kbr.catalog.service.BlobReferenceCheck;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * References held by item versions ({@code item_blobs}: document, attachments, RFC 822 text of every version
 * still in the catalog) and by stores (their current metadata blob and every metadata document still in their history). A stand-alone object is referenced when a reference
 * names its SHA-256 without a pack; a pack is referenced when any reference names it — one referenced entry keeps
 * the whole pack.
 */
@ApplicationScoped
public class CatalogBlobReferences implements BlobReferenceCheck {
    private static final Pattern BLOB_KEY = Pattern.compile("blobs/[0-9a-f]{2}/([0-9a-f]{64})");
    private static final Pattern PACK_KEY = Pattern.compile("packs/[0-9a-f]{2}/([0-9a-f]{32})");

    private final DataSource dataSource;

    public CatalogBlobReferences(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Set<String> referenced(Collection<String> objectKeys) throws SQLException {
        Map<String, String> blobKeyBySha = new HashMap<>();
        Map<String, String> packKeyById = new HashMap<>();
        for (String key : objectKeys) {
            Matcher blob = BLOB_KEY.matcher(key);
            Matcher pack = PACK_KEY.matcher(key);
            if (blob.matches()) {
                blobKeyBySha.put(blob.group(1), key);
            } else if (pack.matches()) {
                packKeyById.put(pack.group(1), key);
            }
        }
        Set<String> out = new HashSet<>();
        try (Connection c = dataSource.getConnection()) {
            if (!blobKeyBySha.isEmpty()) {
                List<String> shas = new ArrayList<>(blobKeyBySha.keySet());
                String marks = marks(shas.size());
                for (String sha : found(c, "SELECT blob_sha256 FROM item_blobs WHERE pack IS NULL AND blob_sha256 IN (" + marks + ")"
                        + " UNION SELECT metadata_sha256 FROM stores WHERE metadata_pack IS NULL AND metadata_sha256 IN (" + marks + ")"
                        + " UNION SELECT metadata_sha256 FROM store_metadata_versions WHERE metadata_pack IS NULL AND metadata_sha256 IN ("
                        + marks + ")",
                        shas)) {
                    out.add(blobKeyBySha.get(sha));
                }
            }
            if (!packKeyById.isEmpty()) {
                List<String> packs = new ArrayList<>(packKeyById.keySet());
                String marks = marks(packs.size());
                for (String pack : found(c, "SELECT pack FROM item_blobs WHERE pack IN (" + marks + ")"
                        + " UNION SELECT metadata_pack FROM stores WHERE metadata_pack IN (" + marks + ")"
                        + " UNION SELECT metadata_pack FROM store_metadata_versions WHERE metadata_pack IN (" + marks + ")", packs)) {
                    out.add(packKeyById.get(pack));
                }
            }
        }
        out.remove(null);
        return out;
    }

    /** Runs a query with {@code values} bound three times (once per UNION branch) and returns the first column. */
    private static Set<String> found(Connection c, String sql, List<String> values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (int round = 0; round < 3; round++) {
                for (String v : values) {
                    ps.setString(i++, v);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                Set<String> out = new HashSet<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }
    }

    private static String marks(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "?").collect(Collectors.joining(", "));
    }
}
