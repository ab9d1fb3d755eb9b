package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Per-folder statistics of a store's backup, like kopano-backup --stats: items, size, deleted items.")
final class StatsCommand implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;
    @Mixin
    StoreSelection store;

    @Option(names = "--point-in-time", paramLabel = "TIME", description = "the store as it was then (ISO-8601, e.g. 2026-11-01T00:00:00Z)")
    String pointInTime;

    @Override
    public Integer call() {
        CatalogClient client = kbr.client();
        String guid = store.resolve(client);
        var q = CatalogClient.params();
        q.put("asOf", pointInTime);
        JsonNode stats = client.get("/api/v1/stores/" + guid + "/stats" + CatalogClient.query(q));
        var out = spec.commandLine().getOut();
        if (kbr.json) {
            out.println(stats.toPrettyString());
            return ExitCodes.OK;
        }
        Table t = new Table("folder", "items", "size", "soft-deleted", "deleted");
        for (JsonNode f : stats.path("folders")) {
            t.row(f.path("path").asText(), f.path("itemCount").asLong(), Table.size(f.path("totalSize").asLong()),
                    f.path("softDeletedItemCount").asLong(), f.path("deletedItemCount").asLong(f.path("hardDeletedItemCount").asLong()));
        }
        t.row("(total)", stats.path("itemCount").asLong(), Table.size(stats.path("totalSize").asLong()),
                stats.path("softDeletedItemCount").asLong(), stats.path("deletedItemCount").asLong(stats.path("hardDeletedItemCount").asLong()));
        out.print(t.render());
        return ExitCodes.OK;
    }
}
