package io.kbr.restoreservice.rest;

import io.kbr.restoreservice.disaster.DisasterRecovery;
import io.kbr.restoreservice.disaster.DisasterRecoveryService;
import io.kbr.restoreservice.disaster.DumpNotFoundException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/disaster-recoveries}: load a dump into an empty database and verify it; follow progress. */
@Path("/api/v1/disaster-recoveries")
@Produces(MediaType.APPLICATION_JSON)
public class DisasterRecoveryResource {

    /** Where to load: JDBC URL naming the (empty or missing) database, and credentials. */
    public record TargetDatabase(String jdbcUrl, String user, String password) {
    }

    /**
     * Body of POST. A logical dump needs {@code target}; a physical one (issue 8) needs {@code dataDir}, an empty
     * directory on the restore-service's host where the backup is unpacked, prepared and verified.
     */
    public record Request(String dumpId, TargetDatabase target, String attachmentDir, String dataDir) {
    }

    /** Progress and outcome of a recovery. */
    public record View(String id, String dumpId, String server, String state, String step, long chunksDone,
            long chunksTotal, long rowsLoaded, long rowsTotal, long attachmentFilesDone, long attachmentFilesTotal,
            boolean verified, List<String> problems, Instant requestedAt, Instant finishedAt, String kind, String dataDir) {
        static View of(DisasterRecovery r) {
            var p = r.progress;
            return new View(r.id, r.dumpId, r.server, r.state.name(), p.step, p.chunksDone.get(), p.chunksTotal,
                    p.rowsLoaded.get(), p.rowsTotal, p.attachmentFilesDone.get(), p.attachmentFilesTotal,
                    r.state == DisasterRecovery.State.VERIFIED, List.copyOf(p.problems), r.requestedAt, r.finishedAt,
                    r.kind, r.dataDir);
        }
    }

    private final DisasterRecoveryService service;

    public DisasterRecoveryResource(DisasterRecoveryService service) {
        this.service = service;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(Request request) {
        if (request == null || request.dumpId() == null || request.dumpId().isBlank()) {
            return error(400, "missing field: dumpId", "name the dump to recover (GET /api/v1/dumps lists them)");
        }
        boolean hasDataDir = request.dataDir() != null && !request.dataDir().isBlank();
        if (!hasDataDir && (request.target() == null || request.target().jdbcUrl() == null || request.target().jdbcUrl().isBlank())) {
            return error(400, "missing field: target.jdbcUrl", "give the JDBC URL of the empty target database (logical dump),"
                    + " or dataDir (physical backup)");
        }
        String kind;
        try {
            kind = service.kind(request.dumpId());
        } catch (DumpNotFoundException e) {
            return error(404, "unknown dumpId", e.getMessage());
        }
        if ("PHYSICAL".equals(kind)) {
            if (!hasDataDir) {
                return error(400, "missing field: dataDir", "dump " + request.dumpId() + " is a physical backup: give an empty"
                        + " directory to unpack it into (target is for logical dumps)");
            }
            if (!request.dataDir().startsWith("/")) {
                return error(400, "invalid field: dataDir", "expected an absolute path, got " + request.dataDir());
            }
            DisasterRecovery r = service.startPhysical(request.dumpId(), request.dataDir(), request.attachmentDir());
            return Response.accepted(View.of(r)).location(URI.create("/api/v1/disaster-recoveries/" + r.id)).build();
        }
        if (request.target() == null || request.target().jdbcUrl() == null || request.target().jdbcUrl().isBlank()) {
            return error(400, "missing field: target.jdbcUrl", "give the JDBC URL of the empty target database");
        }
        if (!request.target().jdbcUrl().startsWith("jdbc:mysql:") && !request.target().jdbcUrl().startsWith("jdbc:mariadb:")) {
            return error(400, "invalid field: target.jdbcUrl", "expected jdbc:mysql://host:port/database, got " + request.target().jdbcUrl());
        }
        try {
            DisasterRecovery r = service.start(request.dumpId(), new DisasterRecoveryService.Target(request.target().jdbcUrl(),
                    request.target().user(), request.target().password()), request.attachmentDir());
            return Response.accepted(View.of(r)).location(URI.create("/api/v1/disaster-recoveries/" + r.id)).build();
        } catch (DumpNotFoundException e) {
            return error(404, "unknown dumpId", e.getMessage());
        }
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        return service.find(id).map(r -> Response.ok(View.of(r)).build())
                .orElseGet(() -> error(404, "no disaster recovery " + id, "start one with POST /api/v1/disaster-recoveries"));
    }

    static Response error(int status, String error, String detail) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", error, "detail", detail)).build();
    }
}
