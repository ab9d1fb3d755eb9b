package io.kbr.catalog.rest;

import io.kbr.catalog.model.FolderTree;
import io.kbr.catalog.model.ItemSummary;
import io.kbr.catalog.model.ItemVersionSummary;
import io.kbr.catalog.model.StoreSummary;
import io.kbr.catalog.service.ItemService;
import io.kbr.catalog.service.StoreService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Stores, their folder trees, and single items by sourcekey. */
@Path("/api/v1/stores")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "stores")
public class StoreResource {
    private final StoreService stores;
    private final ItemService items;

    public StoreResource(StoreService stores, ItemService items) {
        this.stores = stores;
        this.items = items;
    }

    @GET
    @Operation(summary = "Every store in the catalog with item counts and sizes")
    public List<StoreSummary> list() {
        return stores.stores();
    }

    @GET
    @Path("/{guid}")
    @Operation(summary = "One store with item counts and sizes")
    @APIResponse(responseCode = "404", description = "No event of this store reached the catalog")
    public StoreSummary get(@Parameter(description = "store GUID, 32 hex digits") @PathParam("guid") String guid) {
        return stores.store(RequestParameters.guid("guid", guid));
    }

    @GET
    @Path("/{guid}/folders")
    @Operation(summary = "The store's folder tree, flat with parent keys and paths, with per-folder item counts and sizes")
    @APIResponse(responseCode = "404", description = "No event of this store reached the catalog")
    public FolderTree folders(@Parameter(description = "store GUID, 32 hex digits") @PathParam("guid") String guid) {
        return stores.folderTree(RequestParameters.guid("guid", guid));
    }

    @GET
    @Path("/{guid}/items/{sourceKey}")
    @Operation(summary = "The current state of one item")
    @APIResponse(responseCode = "404", description = "Unknown store or item")
    public ItemSummary item(@PathParam("guid") String guid,
            @Parameter(description = "the item's sourcekey in hex") @PathParam("sourceKey") String sourceKey) {
        return items.item(RequestParameters.guid("guid", guid), RequestParameters.sourceKey("sourceKey", sourceKey));
    }

    @GET
    @Path("/{guid}/items/{sourceKey}/versions")
    @Operation(summary = "Every recorded version of one item, oldest first")
    @APIResponse(responseCode = "404", description = "Unknown store or item")
    public List<ItemVersionSummary> versions(@PathParam("guid") String guid, @PathParam("sourceKey") String sourceKey) {
        return items.versions(RequestParameters.guid("guid", guid), RequestParameters.sourceKey("sourceKey", sourceKey));
    }
}
