package io.kbr.catalog.security;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/me}: who the token says the caller is, for the web UI and the CLI. */
@Path("/api/v1/me")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "auth")
public class MeResource {
    /**
     * @param user the token's {@code upn} (Kopano user name)
     * @param roles {@code user} and/or {@code admin}
     * @param admin whether the caller may see every store
     * @param stores the GUIDs of the stores whose Kopano user name is {@code user} (an admin sees more: GET /api/v1/stores)
     */
    public record Me(String user, List<String> roles, boolean admin, List<String> stores) {
    }

    private final StoreAccess access;

    public MeResource(StoreAccess access) {
        this.access = access;
    }

    @GET
    @Operation(summary = "The caller: user name, roles and own stores (from the token and the catalog)")
    public Me me() {
        return new Me(access.user(), access.roles(), access.isAdmin(), access.ownStores());
    }
}
