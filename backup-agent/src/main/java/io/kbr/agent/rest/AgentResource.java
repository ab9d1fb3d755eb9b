package io.kbr.agent.rest;

import io.kbr.agent.backup.BackupProgress;
import io.kbr.agent.backup.BackupReport;
import io.kbr.agent.service.BackupService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** The agent's own small API: backup status and a way to start a full backup. */
@Path("/api/v1/agent")
@Produces(MediaType.APPLICATION_JSON)
public class AgentResource {
    private final BackupService backups;

    public AgentResource(BackupService backups) {
        this.backups = backups;
    }

    /** Backup status as seen by this agent. */
    public record Status(boolean running, String step, long items, long folders, long plainBytes, long blobsUploaded, long blobsSkipped,
            long events, BackupReport lastReport, String lastError, Incremental incremental) {
    }

    /** The continuous backup: mode, checkpoint (journal id), journal end, lag in rows, open gaps, last poll. */
    public record Incremental(String mode, long checkpoint, long journalMax, long lag, long openGaps, long polls, java.time.Instant lastPollAt,
            String lastError, String lastSync) {
    }

    @GET
    @Path("/status")
    public Status status() {
        BackupProgress p = backups.progress();
        return new Status(backups.running(), p.step.get(), p.items.get(), p.folders.get(), p.plainBytes.get(), p.blobsUploaded.get(),
                p.blobsSkipped.get(), p.events.get(), backups.lastReport().orElse(null), backups.lastError().orElse(null), incremental());
    }

    private Incremental incremental() {
        BackupService.IncrementalStatus s = backups.incremental();
        return new Incremental(s.mode.get(), s.checkpoint.get(), s.journalMax.get(), s.lag.get(), s.openGaps.get(), s.polls.get(),
                s.lastPollAt.get(), s.lastError.get(), s.lastSync.get());
    }

    /** A full sync (resync by diff): afterwards the catalog holds exactly what the server holds. */
    @POST
    @Path("/resyncs")
    public Response startResync() {
        return backups.startResync()
                .map(id -> Response.accepted(Map.of("syncId", id)).build())
                .orElseGet(() -> Response.status(Response.Status.CONFLICT).entity(Map.of("error", "busy", "detail", "a full backup is already running")).build());
    }

    @POST
    @Path("/backups")
    public Response startFullBackup() {
        if (!backups.startFullBackup()) {
            return Response.status(Response.Status.CONFLICT).entity(Map.of("error", "busy", "detail", "a full backup is already running")).build();
        }
        return Response.accepted(Map.of("started", true)).build();
    }
}
