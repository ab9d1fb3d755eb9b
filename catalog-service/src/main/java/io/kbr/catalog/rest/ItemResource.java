package io.kbr.catalog.rest;

import io.kbr.catalog.config.CatalogConfig;
import io.kbr.catalog.model.ItemPage;
import io.kbr.catalog.model.ItemQuery;
import io.kbr.catalog.security.StoreAccess;
import io.kbr.catalog.service.ItemService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Item search with keyset paging. */
@Path("/api/v1/items")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "items")
public class ItemResource {
    private final ItemService items;
    private final CatalogConfig config;
    private final StoreAccess access;

    public ItemResource(ItemService items, CatalogConfig config, StoreAccess access) {
        this.items = items;
        this.config = config;
        this.access = access;
    }

    @GET
    @Operation(summary = "Search items, newest delivery time first",
            description = "Filters combine with AND. Page with the returned nextCursor as 'after'; it is null on the last page.")
    @APIResponse(responseCode = "400", description = "An invalid parameter; the detail names it")
    @APIResponse(responseCode = "404", description = "The store is not in the catalog")
    public ItemPage search(
            @Parameter(description = "store GUID (32 hex digits); if absent: all stores (admin), the caller's store (user)") @QueryParam("store") String store,
            @Parameter(description = "a complete address matches the sender address exactly, other text matches "
                    + "part of the sender address or name") @QueryParam("sender") String sender,
            @Parameter(description = "like sender, for any recipient (To, Cc, Bcc)") @QueryParam("recipient") String recipient,
            @Parameter(description = "words that must all occur in the subject (case-insensitive)") @QueryParam("subject") String subject,
            @Parameter(description = "delivered at or after this ISO-8601 instant") @QueryParam("from") String from,
            @Parameter(description = "delivered before this ISO-8601 instant") @QueryParam("to") String to,
            @Parameter(description = "folder sourcekey in hex") @QueryParam("folder") String folder,
            @Parameter(description = "with folder: include its subfolders (needs store)") @QueryParam("subfolders") String subfolders,
            @Parameter(description = "include (default), exclude or only soft- and hard-deleted items") @QueryParam("deleted") String deleted,
            @Parameter(description = "page size, 1 to kbr.catalog.api.max-page-size (1000), default 100") @QueryParam("limit") String limit,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("after") String after,
            @Parameter(description = "ISO-8601 instant (needs store): search the items as they were then, each in its version "
                    + "valid at that instant; items that did not exist yet or were hard-deleted by then are not found")
            @QueryParam("asOf") String asOf) {
        byte[] storeGuid = RequestParameters.present(store) ? RequestParameters.guid("store", store) : null;
        boolean noOwnStore = false;
        if (storeGuid != null) {
            access.requireStore(storeGuid);
        } else {
            try {
                storeGuid = access.defaultSearchStore();
            } catch (StoreAccess.NoOwnStoreException e) {
                noOwnStore = true;
            }
        }
        ItemQuery query = RequestParameters.itemQuery(storeGuid, sender, recipient, subject, from, to, folder, subfolders, deleted,
                RequestParameters.limit("limit", limit, config.api().defaultPageSize(), config.api().maxPageSize()),
                RequestParameters.cursor("after", after), asOf);
        if (noOwnStore) {
            return new ItemPage(List.of(), null);
        }
        return items.search(query);
    }
}
