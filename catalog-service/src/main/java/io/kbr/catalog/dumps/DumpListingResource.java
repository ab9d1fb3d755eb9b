package io.kbr.catalog.dumps;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.Map;

/** {@code GET /api/v1/dumps}: the dumps available for disaster recovery, newest first. */
@Path("/api/v1/dumps")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(io.kbr.auth.Roles.ADMIN) // docs/auth.md
public class DumpListingResource {

    private final DumpCatalogRepository repository;

    public DumpListingResource(DumpCatalogRepository repository) {
        this.repository = repository;
    }

    @GET
    public Response list(@QueryParam("server") String server, @QueryParam("limit") Integer limit,
            @QueryParam("kind") String kind) throws SQLException {
        String k = kind == null || kind.isBlank() ? null : kind.trim().toUpperCase(java.util.Locale.ROOT);
        if (k != null && !k.equals("LOGICAL") && !k.equals("PHYSICAL")) {
            return Response.status(400).entity(Map.of("error", "invalid parameter: kind",
                    "detail", "kind must be LOGICAL or PHYSICAL, not " + kind)).build();
        }
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) {
            return Response.status(400).entity(Map.of("error", "invalid parameter: limit",
                    "detail", "limit must be between 1 and 1000, not " + n)).build();
        }
        return Response.ok(Map.of("dumps", repository.list(server == null || server.isBlank() ? null : server, k, n))).build();
    }
}
