package io.kbr.catalog.rest;

import jakarta.annotation.security.RolesAllowed;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbr.catalog.model.GcReport;
import io.kbr.catalog.model.PurgeReport;
import io.kbr.catalog.service.InvalidParameterException;
import io.kbr.catalog.service.RetentionService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Iterator;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Retention: purge old catalog rows (as {@code kopano-backup --purge N}) and collect unreferenced blobs. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "retention")
@RolesAllowed(io.kbr.auth.Roles.ADMIN) // docs/auth.md
public class RetentionResource {
    static final int MAX_DAYS = 36_500;

    private final RetentionService retention;
    private final ObjectMapper json;

    public RetentionResource(RetentionService retention, ObjectMapper json) {
        this.retention = retention;
        this.json = json;
    }

    @POST
    @Path("/purge")
    @Operation(summary = "Remove deleted items and superseded versions older than N days, then unreferenced blobs",
            description = "Body {\"olderThanDays\": N, \"store\": guid (optional, all stores if absent), \"dryRun\": false}. "
                    + "Removes items soft- or hard-deleted more than N days ago with all their versions, item versions "
                    + "superseded more than N days ago, deleted folders without items and superseded folder versions; then "
                    + "deletes blob objects nothing references any more and that are older than the grace period. A dry run "
                    + "changes nothing.")
    @RequestBody(description = "{\"olderThanDays\": 30, \"store\": \"<32 hex digits>\", \"dryRun\": true}")
    @APIResponse(responseCode = "200", description = "What was (or would be) removed")
    @APIResponse(responseCode = "400", description = "An invalid body; the detail names the field")
    @APIResponse(responseCode = "404", description = "The store is not in the catalog")
    @APIResponse(responseCode = "409", description = "A purge or garbage collection is already running")
    public PurgeReport purge(String body) {
        JsonNode b = parse(body, Set.of("olderThanDays", "store", "dryRun"));
        JsonNode days = b.get("olderThanDays");
        if (days == null || days.isNull()) {
            throw new InvalidParameterException("olderThanDays", "is required: purge what was deleted or superseded more than this many days ago");
        }
        if (!days.isIntegralNumber() || days.asLong() < 0 || days.asLong() > MAX_DAYS) {
            throw new InvalidParameterException("olderThanDays", "expected a whole number from 0 to " + MAX_DAYS + ", got " + days);
        }
        JsonNode store = b.get("store");
        byte[] guid = null;
        if (store != null && !store.isNull()) {
            if (!store.isTextual()) {
                throw new InvalidParameterException("store", "expected a store GUID as a string, got " + store);
            }
            guid = RequestParameters.guid("store", store.asText());
        }
        return retention.purge(days.asInt(), guid, bool(b, "dryRun"));
    }

    @POST
    @Path("/gc")
    @Operation(summary = "Delete blob objects nothing in the catalog references",
            description = "Body {\"dryRun\": false} (optional). Lists every blobs/ and packs/ object; deletes those that no "
                    + "item version, store metadata or other catalog record references and that are older than "
                    + "kbr.catalog.retention.gc-grace-period. A pack goes only when none of its entries is referenced.")
    @APIResponse(responseCode = "200", description = "Objects scanned, kept and deleted, bytes freed")
    @APIResponse(responseCode = "400", description = "An invalid body; the detail names the field")
    @APIResponse(responseCode = "409", description = "No object store configured, or a purge or collection is running")
    public GcReport gc(String body) {
        JsonNode b = parse(body, Set.of("dryRun"));
        return retention.garbageCollect(bool(b, "dryRun"));
    }

    private JsonNode parse(String body, Set<String> allowed) {
        if (body == null || body.isBlank()) {
            return json.createObjectNode();
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidParameterException("body", "is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidParameterException("body", "expected a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new InvalidParameterException(name, "is not a known field; expected " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return node;
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new InvalidParameterException(field, "expected true or false, got " + v);
        }
        return v.asBoolean();
    }
}
