package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "dumps", mixinStandardHelpOptions = true,
        description = "List the full dumps available for disaster recovery, newest first, as the catalog knows them "
                + "(server, kind, time, size, state, snapshot position).")
final class DumpsCommand implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;

    @Option(names = "--server", paramLabel = "ID", description = "only dumps of this Kopano server")
    String server;

    @Option(names = "--limit", defaultValue = "100", description = "at most this many (1 to 1000, default ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
        var q = CatalogClient.params();
        q.put("server", server);
        q.put("limit", limit);
        JsonNode list = kbr.client().get("/api/v1/dumps" + CatalogClient.query(q));
        var out = spec.commandLine().getOut();
        if (kbr.json) {
            out.println(list.toPrettyString());
            return ExitCodes.OK;
        }
        Table t = new Table("dump", "server", "kind", "snapshot", "state", "size", "tables", "rows", "attachments", "position");
        for (JsonNode d : list.path("dumps")) {
            JsonNode p = d.path("snapshotPosition");
            String position = p.hasNonNull("gtidPosition") ? "gtid " + p.path("gtidPosition").asText()
                    : p.hasNonNull("binlogFile") ? p.path("binlogFile").asText() + ":" + p.path("binlogPosition").asText() : "-";
            int missing = d.path("missingAttachments").asInt();
            t.row(d.path("dumpId").asText(), d.path("server").asText(), d.path("kind").asText("-"), d.path("snapshotAt").asText(),
                    d.path("state").asText(), Table.size(d.path("storedBytes").asLong()), d.path("tables").asLong(),
                    d.path("rows").asLong(), d.path("attachmentInstances").asLong() + (missing > 0 ? " (" + missing + " missing)" : ""),
                    position);
        }
        out.print(t.render());
        return ExitCodes.OK;
    }
}
