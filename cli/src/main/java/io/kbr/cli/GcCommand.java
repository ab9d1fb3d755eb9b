package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Delete blobs and packs in object storage that nothing in the catalog references (older than the grace period).")
final class GcCommand implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;

    @Option(names = "--dry-run", description = "report what would be deleted, delete nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        JsonNode r = Progress.whileWaiting(spec.commandLine().getErr(), "collecting garbage",
                () -> kbr.client().post("/api/v1/gc", Map.of("dryRun", dryRun)));
        var out = spec.commandLine().getOut();
        if (kbr.json) {
            out.println(r.toPrettyString());
        } else {
            print(out, r);
        }
        return ExitCodes.OK;
    }

    /** The grace period as Jackson writes a Duration (seconds, or ISO-8601) → "24 h", "90 s". */
    static String grace(JsonNode n) {
        double seconds;
        if (n.isNumber()) {
            seconds = n.asDouble();
        } else {
            try {
                seconds = java.time.Duration.parse(n.asText()).toMillis() / 1000.0;
            } catch (RuntimeException e) {
                return n.asText();
            }
        }
        return seconds >= 3600 && seconds % 3600 == 0 ? (long) (seconds / 3600) + " h" : Math.round(seconds) + " s";
    }

    static void print(PrintWriter out, JsonNode gc) {
        out.printf("objects scanned: %,d (%s); kept: %,d referenced, %,d younger than the grace period %s; %s: %,d (%s)%n",
                gc.path("objectsScanned").asLong(), Table.bytes(gc.path("bytesScanned").asLong()),
                gc.path("keptReferenced").asLong(), gc.path("keptYoung").asLong(), grace(gc.path("gracePeriod")),
                gc.path("dryRun").asBoolean() ? "would delete" : "deleted",
                gc.path("deleted").asLong(gc.path("objectsDeleted").asLong()), Table.bytes(gc.path("bytesDeleted").asLong(gc.path("bytesFreed").asLong())));
    }
}
