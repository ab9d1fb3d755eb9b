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

    public RestoreResource(RestoreJobs jobs, io.kbr.catalog.security.StoreAccess access) {
        this.jobs = jobs;
        this.access = access;
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
