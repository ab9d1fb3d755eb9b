package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "purge", mixinStandardHelpOptions = true,
        description = "Like kopano-backup --purge N: remove from the catalog what was deleted, and versions superseded, more "
                + "than N days ago; then delete the blobs nothing references any more.")
final class PurgeCommand implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "N", description = "days to keep deleted items and old versions")
    int days;
    @Option(names = "--store", description = "only this store (GUID); default all stores")
    String store;
    @Option(names = "--dry-run", description = "report what would be removed, remove nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        if (days < 0) {
            throw new CliException(ExitCodes.USAGE, "N must be 0 or more days, not " + days);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("olderThanDays", days);
        if (store != null) {
            body.put("store", store);
        }
        body.put("dryRun", dryRun);
        JsonNode r = Progress.whileWaiting(spec.commandLine().getErr(), "purging", () -> kbr.client().post("/api/v1/purge", body));
        var out = spec.commandLine().getOut();
        if (kbr.json) {
            out.println(r.toPrettyString());
            return ExitCodes.OK;
        }
        out.printf("%s: %,d items, %,d item versions, %,d folders, %,d folder versions, %,d metadata versions older than %s%n",
                dryRun ? "would purge" : "purged", r.path("items").asLong(), r.path("itemVersions").asLong(), r.path("folders").asLong(),
                r.path("folderVersions").asLong(), r.path("metadataVersions").asLong(), r.path("cutoff").asText());
        if (r.hasNonNull("gc")) {
            GcCommand.print(out, r.path("gc"));
        } else if (r.hasNonNull("gcSkipped")) {
            out.println("garbage collection skipped: " + r.path("gcSkipped").asText());
        }
        return ExitCodes.OK;
    }
}
