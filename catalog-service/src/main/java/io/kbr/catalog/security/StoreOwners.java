package io.kbr.catalog.security;

import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.service.CatalogDatabaseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Who owns which store: the Kopano user name the agent reported for it ({@code stores.user_name}). Names compare
 * case-insensitively (the column's collation), as Kopano's do. A store without a user name (public store, or one
 * whose description has not arrived yet) belongs to no user: only admins see it.
 */
@ApplicationScoped
public class StoreOwners {
    /** A store's owner and the server it is on. */
    public record Owner(String userName, String serverId) {
    }

    private final DataSource dataSource;

    public StoreOwners(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<Owner> owner(byte[] store) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT user_name, server_id FROM stores WHERE store_guid = ?")) {
            ps.setBytes(1, store);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Owner(rs.getString(1), rs.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read the store's owner", e);
        }
    }

    /** Whether {@code user} owns {@code store}. */
    public boolean owns(String user, byte[] store) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM stores WHERE store_guid = ? AND user_name = ?")) {
            ps.setBytes(1, store);
            ps.setString(2, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot read the store's owner", e);
        }
    }

    /** The GUIDs (lower-case hex, as the API shows them) of the stores {@code user} owns, in GUID order. */
    public List<String> storesOf(String user) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT store_guid FROM stores WHERE user_name = ? ORDER BY store_guid")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(Hex.encode(rs.getBytes(1)));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new CatalogDatabaseException("Cannot list the user's stores", e);
        }
    }
}
