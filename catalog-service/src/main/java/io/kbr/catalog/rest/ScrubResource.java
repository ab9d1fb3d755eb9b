package io.kbr.catalog.rest;

import jakarta.annotation.security.RolesAllowed;
import io.kbr.catalog.service.ScrubService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Scrub: re-read and verify every blob in object storage. */
@Path("/api/v1/scrubs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "retention")
@RolesAllowed(io.kbr.auth.Roles.ADMIN) // docs/auth.md
public class ScrubResource {
    private final ScrubService scrubs;

    public ScrubResource(ScrubService scrubs) {
        this.scrubs = scrubs;
    }

    @POST
    @Operation(summary = "Start a scrub: every blob and pack entry is read back and checked against its hash; 409 while one runs")
    public Response start() {
        ScrubService.Job job = scrubs.start();
        return Response.accepted(job).header("Location", "/api/v1/scrubs/" + job.id()).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A scrub's state; when DONE, how much was verified and every object or entry that failed, with the reason")
    public ScrubService.Job get(@PathParam("id") String id) {
        return scrubs.job(id).orElseThrow(() -> new NotFoundException("no scrub " + id + " (only the latest is kept)"));
    }
}
