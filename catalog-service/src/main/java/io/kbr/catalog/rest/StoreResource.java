package io.kbr.catalog.rest;

import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.FolderTree;
import io.kbr.catalog.model.FolderVersionSummary;
import io.kbr.catalog.model.ItemQuery;
import io.kbr.catalog.model.StoreStatistics;
import io.kbr.catalog.model.ItemSummary;
import io.kbr.catalog.model.ItemVersionSummary;
import io.kbr.catalog.model.MetadataVersion;
import io.kbr.catalog.model.StoreSummary;
import io.kbr.catalog.security.StoreAccess;
import io.kbr.catalog.service.ItemService;
import io.kbr.catalog.service.StoreService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
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
    private final StoreAccess access;

    public StoreResource(StoreService stores, ItemService items, StoreAccess access) {
        this.stores = stores;
        this.items = items;
        this.access = access;
    }

    @GET
    @Operation(summary = "Every store in the catalog with item counts and sizes (role user: only their own stores)")
    public List<StoreSummary> list() {
        return access.visible(stores.stores(), StoreSummary::guid);
    }

    @GET
    @Path("/{guid}")
    @Operation(summary = "One store with item counts and sizes",
            description = "With asOf, the metadata fields (metadataSha256 … metadataStoredLength) are those of the store-metadata "
                    + "document (rules, ACLs, delegates, settings) the store had at that instant, null if none was recorded by then; "
                    + "the counts stay current.")
    @APIResponse(responseCode = "400", description = "An invalid parameter; the detail names it")
    @APIResponse(responseCode = "404", description = "No event of this store reached the catalog")
    public StoreSummary get(@Parameter(description = "store GUID, 32 hex digits") @PathParam("guid") String guid,
            @Parameter(description = "ISO-8601 instant: the metadata document as of then; the latest if absent") @QueryParam("asOf") String asOf) {
        byte[] store = RequestParameters.guid("guid", guid);
        java.time.Instant at = RequestParameters.instant("asOf", asOf);
        access.requireStore(store);
        return stores.store(store, at);
    }

    @GET
    @Path("/{guid}/metadata/versions")
    @Operation(summary = "Every store-metadata document (rules, ACLs, delegates, settings) recorded for the store, oldest first")
    @APIResponse(responseCode = "400", description = "An invalid parameter; the detail names it")
    @APIResponse(responseCode = "404", description = "No event of this store reached the catalog")
    public List<MetadataVersion> metadataVersions(@Parameter(description = "store GUID, 32 hex digits") @PathParam("guid") String guid) {
        byte[] store = RequestParameters.guid("guid", guid);
        access.requireStore(store);
        return stores.metadataVersions(store);
    }

    @GET
    @Path("/{guid}/folders")
    @Operation(summary = "The store's folder tree, flat with parent keys and paths, with per-folder item counts and sizes",
            description = "With asOf: the folders as they were at that instant (names, places, deletion) and each item "
                    + "counted in the folder its version valid then was in; folders created later are absent.")
    @APIResponse(responseCode = "400", description = "An invalid parameter; the detail names it")
    @APIResponse(responseCode = "404", description = "No event of this store reached the catalog")
    public FolderTree folders(@Parameter(description = "store GUID, 32 hex digits") @PathParam("guid") String guid,
            @Parameter(description = "ISO-8601 instant: the tree as of then; now if absent") @QueryParam("asOf") String asOf) {
        byte[] store = RequestParameters.guid("guid", guid);
        access.requireStore(store);
        return stores.folderTree(store, RequestParameters.instant("asOf", asOf));
    }

    @GET
    @Path("/{guid}/folders/{sourceKey}/versions")
    @Operation(summary = "Every recorded version of one folder, oldest first, with its path as of each version")
    @APIResponse(responseCode = "400", description = "An invalid parameter; the detail names it")
    @APIResponse(responseCode = "404", description = "Unknown store or folder")
    public List<FolderVersionSummary> folderVersions(@PathParam("guid") String guid,
            @Parameter(description = "the folder's sourcekey in hex") @PathParam("sourceKey") String sourceKey) {
        byte[] store = RequestParameters.guid("guid", guid);
        access.requireStore(store);
        return stores.folderVersions(store, RequestParameters.sourceKey("sourceKey", sourceKey));
    }

    @GET
    @Path("/{guid}/stats")
    @Operation(summary = "Per-folder statistics, as kopano-backup --stats: path, item count, size, deleted counts",
            description = "Folders in tree order; path as kopano-backup writes it (\"Inbox/Projects\"). With asOf, as of that instant.")
    @APIResponse(responseCode = "400", description = "An invalid parameter; the detail names it")
    @APIResponse(responseCode = "404", description = "No event of this store reached the catalog")
    public StoreStatistics stats(@Parameter(description = "store GUID, 32 hex digits") @PathParam("guid") String guid,
            @Parameter(description = "ISO-8601 instant: statistics as of then; now if absent") @QueryParam("asOf") String asOf) {
        byte[] store = RequestParameters.guid("guid", guid);
        access.requireStore(store);
        return stores.statistics(store, RequestParameters.instant("asOf", asOf));
    }

    @GET
    @Path("/{guid}/index.csv")
    @Produces("text/csv")
    @Operation(summary = "Index of the store's items in CSV, as kopano-backup --index plus sender",
            description = "Columns: sourcekey, folder, last_modified, subject, sender_name, sender_email, delivery_time, size, "
                    + "deleted (empty, soft or hard). Folder by folder in tree order, oldest modification first. Filters as in "
                    + "GET /api/v1/items (sender, recipient, subject, from, to, folder, subfolders, deleted, asOf). Streamed.")
    @APIResponse(responseCode = "400", description = "An invalid parameter; the detail names it")
    @APIResponse(responseCode = "404", description = "No event of this store reached the catalog")
    public Response index(@Parameter(description = "store GUID, 32 hex digits") @PathParam("guid") String guid,
            @Parameter(description = "as in GET /api/v1/items") @QueryParam("sender") String sender,
            @Parameter(description = "as in GET /api/v1/items") @QueryParam("recipient") String recipient,
            @Parameter(description = "as in GET /api/v1/items") @QueryParam("subject") String subject,
            @Parameter(description = "delivered at or after this ISO-8601 instant") @QueryParam("from") String from,
            @Parameter(description = "delivered before this ISO-8601 instant") @QueryParam("to") String to,
            @Parameter(description = "folder sourcekey in hex") @QueryParam("folder") String folder,
            @Parameter(description = "with folder: include its subfolders") @QueryParam("subfolders") String subfolders,
            @Parameter(description = "include (default), exclude or only soft- and hard-deleted items") @QueryParam("deleted") String deleted,
            @Parameter(description = "ISO-8601 instant: the folders and items as they were then") @QueryParam("asOf") String asOf) {
        byte[] store = RequestParameters.guid("guid", guid);
        ItemQuery query = RequestParameters.itemQuery(store, sender, recipient, subject, from, to, folder, subfolders, deleted,
                1, null, asOf);
        access.requireStore(store);
        stores.requireStore(store);
        StreamingOutput body = output -> {
            Writer out = new BufferedWriter(new OutputStreamWriter(output, StandardCharsets.UTF_8), 64 * 1024);
            IndexCsv.header(out);
            items.exportIndex(query, (path, item) -> IndexCsv.item(out, path, item));
            out.flush();
        };
        return Response.ok(body, "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"index-" + Hex.encode(store) + ".csv\"").build();
    }

    @GET
    @Path("/{guid}/items/{sourceKey}")
    @Operation(summary = "The current state of one item")
    @APIResponse(responseCode = "404", description = "Unknown store or item")
    public ItemSummary item(@PathParam("guid") String guid,
            @Parameter(description = "the item's sourcekey in hex") @PathParam("sourceKey") String sourceKey) {
        byte[] store = RequestParameters.guid("guid", guid);
        access.requireStore(store);
        return items.item(store, RequestParameters.sourceKey("sourceKey", sourceKey));
    }

    @GET
    @Path("/{guid}/items/{sourceKey}/versions")
    @Operation(summary = "Every recorded version of one item, oldest first",
            description = "Operation, sourcekey and folder at that version, time, size, document reference (pack entry or "
                    + "stand-alone object), every blob referenced, the full sync that reported it, and reason 'resync' for a "
                    + "hard delete derived from a completed full sync. The history follows the item across moves.")
    @APIResponse(responseCode = "404", description = "Unknown store or item")
    public List<ItemVersionSummary> versions(@PathParam("guid") String guid,
            @Parameter(description = "the item's sourcekey in hex (its current one, or the one before a move)") @PathParam("sourceKey") String sourceKey) {
        byte[] store = RequestParameters.guid("guid", guid);
        access.requireStore(store);
        return items.versions(store, RequestParameters.sourceKey("sourceKey", sourceKey));
    }
}
