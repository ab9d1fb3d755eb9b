package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "stores", mixinStandardHelpOptions = true, description = "The backed-up stores with their users, item counts and sizes.")
final class StoresCommand implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode stores = kbr.client().get("/api/v1/stores");
        var out = spec.commandLine().getOut();
        if (kbr.json) {
            out.println(stores.toPrettyString());
            return ExitCodes.OK;
        }
        Table t = new Table("user", "server", "store", "folders", "items", "size", "soft-deleted");
        for (JsonNode s : stores.path("stores").isArray() ? stores.path("stores") : stores) {
            t.row(s.path("userName").asText(""), s.path("serverId").asText(""), s.path("guid").asText(), s.path("folderCount").asLong(),
                    s.path("itemCount").asLong(), Table.size(s.path("totalSize").asLong()), s.path("softDeletedItemCount").asLong());
        }
        out.print(t.render());
        return ExitCodes.OK;
    }
}
