package io.kbr.catalog.rest;

import jakarta.annotation.security.RolesAllowed;
import io.kbr.catalog.model.CatalogStatus;
import io.kbr.catalog.service.StoreService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** How far the catalog got, e.g. to wait until it caught up with a backup. */
@Path("/api/v1/status")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "status")
@RolesAllowed(io.kbr.auth.Roles.ADMIN) // docs/auth.md
public class StatusResource {
    private final StoreService stores;

    public StatusResource(StoreService stores) {
        this.stores = stores;
    }

    @GET
    @Operation(summary = "Events recorded in total and per store (with the highest journal id applied)")
    public CatalogStatus status() {
        return stores.status();
    }
}
