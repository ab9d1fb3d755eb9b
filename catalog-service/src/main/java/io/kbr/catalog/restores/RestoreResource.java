package io.kbr.catalog.restores;

import io.kbr.catalog.service.InvalidParameterException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Item-level restores (issue 5): request, follow, list. See docs/restores.md. */
@Path("/api/v1/restores")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "restores")
public class RestoreResource {
    private final RestoreJobs jobs;
    private final io.kbr.catalog.security.StoreAccess access;
    private final RestoreResolution resolution;

    public RestoreResource(RestoreJobs jobs, io.kbr.catalog.security.StoreAccess access, RestoreResolution resolution) {
        this.jobs = jobs;
        this.access = access;
        this.resolution = resolution;
    }

    /** The body of {@code POST /api/v1/restores/resolution}. */
    public record ResolutionRequest(String storeGuid, List<String> sourceKeys) {
    }

    /** Its answer: one entry per requested sourcekey, in order. */
    public record ResolutionAnswer(List<RestoreResolution.ResolvedItem> items) {
    }

    @POST
    @Path("/resolution")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "For the restore-service: the current state and every version (with blobs) of up to 2000 items of one store in one call",
            description = "Per requested sourcekey: found, currentSourceKey, softDeleted, hardDeleted, deletedAt and versions (as GET "
                    + "/api/v1/stores/{guid}/items/{key}/versions); an item is also found by its sourcekey before a move.")
    public ResolutionAnswer resolve(ResolutionRequest body) {
        if (body == null || body.storeGuid() == null || !body.storeGuid().trim().matches("[0-9a-fA-F]{32}")) {
            throw new InvalidParameterException("storeGuid", "expected a store GUID of 32 hex digits");
        }
        byte[] store = io.kbr.catalog.mapping.Hex.decode(body.storeGuid().trim().toLowerCase(java.util.Locale.ROOT));
        access.requireStore(store);
        List<String> keys = body.sourceKeys() == null ? List.of() : body.sourceKeys();
        if (keys.size() > RestoreResolution.MAX_KEYS) {
            throw new InvalidParameterException("sourceKeys", "at most " + RestoreResolution.MAX_KEYS + " per call, got " + keys.size());
        }
        List<byte[]> raw = new java.util.ArrayList<>(keys.size());
        for (String k : keys) {
            String v = k == null ? "" : k.trim();
            if (v.isEmpty() || v.length() % 2 != 0 || v.length() > 510 || !v.matches("[0-9a-fA-F]+")) {
                throw new InvalidParameterException("sourceKeys", "expected sourcekeys as an even number of hex digits, got '" + k + "'");
            }
            raw.add(io.kbr.catalog.mapping.Hex.decode(v.toLowerCase(java.util.Locale.ROOT)));
        }
        try {
            return new ResolutionAnswer(resolution.resolve(store, raw));
        } catch (java.sql.SQLException e) {
            throw new io.kbr.catalog.service.CatalogDatabaseException("Cannot resolve the items", e);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Request an item-level restore: selection (sourceKeys or a filter), asOf, target, conflictMode, includeMetadata; 202 with the job")
    public Response submit(RestoreRequestBody body) {
        access.requireRestore(body);
        RestoreJob job = jobs.submit(body);
        return Response.accepted(job).header("Location", "/api/v1/restores/" + job.id()).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A restore job: state, counts and every item's outcome with its reason")
    public RestoreJob get(@PathParam("id") String id) {
        RestoreJob job = jobs.job(id).orElseThrow(() -> new NotFoundException("no restore job " + id));
        access.requireJob(job);
        return job;
    }

    @GET
    @Operation(summary = "Restore jobs, newest first (without per-item outcomes)")
    public List<RestoreJob> list(@QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new InvalidParameterException("limit", "must be between 1 and 1000");
        }
        if (access.isAdmin()) {
            return jobs.list(limit);
        }
        // role user: their own jobs among the latest 1000 (docs/auth.md)
        return access.visible(jobs.list(1000), RestoreJob::storeGuid).stream().filter(access::canSee).limit(limit).toList();
    }
}
