package io.kbr.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "index", mixinStandardHelpOptions = true,
        description = "The item index of a store's backup as CSV, like kopano-backup --index (plus the sender). "
                + "Streams to standard output or to --output.")
final class IndexCommand implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;
    @Mixin
    StoreSelection store;

    @Option(names = "--sender", description = "only items from this sender (address or name)")
    String sender;
    @Option(names = "--period-begin", paramLabel = "TIME", description = "only items delivered at or after TIME (ISO-8601)")
    String periodBegin;
    @Option(names = "--period-end", paramLabel = "TIME", description = "only items delivered before TIME (ISO-8601)")
    String periodEnd;
    @Option(names = {"-o", "--output"}, description = "write the CSV to this file instead of standard output")
    Path output;

    @Override
    public Integer call() throws IOException {
        CatalogClient client = kbr.client();
        String guid = store.resolve(client);
        var q = CatalogClient.params();
        q.put("sender", sender);
        q.put("from", periodBegin);
        q.put("to", periodEnd);
        String path = "/api/v1/stores/" + guid + "/index.csv" + CatalogClient.query(q);
        if (output != null) {
            try (OutputStream out = Files.newOutputStream(output)) {
                long n = client.download(path, out);
                spec.commandLine().getErr().printf("wrote %,d bytes to %s%n", n, output);
            }
        } else {
            var out = new java.io.ByteArrayOutputStream();
            client.download(path, out);
            spec.commandLine().getOut().print(out.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
        return ExitCodes.OK;
    }
}
