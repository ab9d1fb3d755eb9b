package io.kbr.dumpservice.rest;

import io.kbr.dump.DumpManifest;
import io.kbr.dumpservice.service.DumpJob;
import io.kbr.dumpservice.service.DumpService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/dumps}: request a dump, list dumps, show one (by dump id or job id). */
@Path("/api/v1/dumps")
@Produces(MediaType.APPLICATION_JSON)
public class DumpResource {

    /** Body of POST: the configured server to dump; mode logical|physical|snapshot (optional, default: configured). */
    public record DumpRequest(String server, String mode) {
    }

    /** A stored dump, as listed. */
    public record DumpSummary(String dumpId, String server, String kind, String format, String state, Instant snapshotAt,
            Instant finishedAt, long storedBytes, long rows, String binlogFile, Long binlogPosition, String gtidPosition,
            List<String> problems) {
        static DumpSummary of(DumpManifest m) {
            return new DumpSummary(m.dumpId(), m.server(), DumpManifest.kindOf(m.format()), m.format(), m.state().name(),
                    m.snapshotAt(), m.finishedAt(), m.storedBytes(),
                    m.totalRows(), m.snapshot() == null ? null : m.snapshot().binlogFile(),
                    m.snapshot() == null ? null : m.snapshot().binlogPosition(),
                    m.snapshot() == null ? null : m.snapshot().gtidPosition(), m.problems());
        }
    }

    /** A dump run. */
    public record JobView(String jobId, String server, String trigger, String state, String step, String dumpId,
            Instant requestedAt, boolean announced, String error, List<String> retention, DumpSummary dump) {
        static JobView of(DumpJob j) {
            return new JobView(j.jobId, j.server, j.trigger, j.state.name(), j.step, j.dumpId, j.requestedAt, j.announced,
                    j.error, List.copyOf(j.retention), j.manifest == null ? null : DumpSummary.of(j.manifest));
        }
    }

    private final DumpService service;

    public DumpResource(DumpService service) {
        this.service = service;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response request(DumpRequest request) {
        if (request == null || request.server() == null || request.server().isBlank()) {
            return ErrorMapper.error(400, "missing field: server", "name the configured server to dump, e.g. {\"server\":\"kopano1\"}");
        }
        DumpJob job;
        try {
            job = service.request(request.server(), "api", request.mode());
        } catch (IllegalArgumentException e) {
            return ErrorMapper.error(400, "invalid field: mode", e.getMessage());
        }
        return Response.accepted(JobView.of(job)).location(URI.create("/api/v1/dumps/" + job.jobId)).build();
    }

    @GET
    public Map<String, Object> list(@QueryParam("server") String server) {
        List<DumpSummary> dumps = new ArrayList<>();
        service.repository().list(server).forEach(m -> dumps.add(DumpSummary.of(m)));
        List<JobView> jobs = service.jobs().stream().filter(j -> server == null || j.server.equals(server))
                .map(JobView::of).toList();
        return Map.of("dumps", dumps, "jobs", jobs);
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        var job = service.job(id);
        if (job.isPresent()) {
            return Response.ok(JobView.of(job.get())).build();
        }
        return service.repository().find(id).map(m -> Response.ok(m).build())
                .orElseGet(() -> ErrorMapper.error(404, "no dump or dump job " + id, "list dumps with GET /api/v1/dumps"));
    }
}
