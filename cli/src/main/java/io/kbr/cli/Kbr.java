package io.kbr.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code kbr}: the administrator's command line, talking to the catalog API. */
@Command(name = "kbr", mixinStandardHelpOptions = true, version = "kbr 0.1.0",
        description = "Backup and restore for Kopano: inspect backups, restore items, export the index, purge, take dumps, recover from disaster.",
        footer = "%n" + ExitCodes.HELP,
        subcommands = {StatusCommand.class, StoresCommand.class, StatsCommand.class, IndexCommand.class, RestoreVerb.class,
                RestoreStatusCommand.class, PurgeCommand.class, GcCommand.class, ScrubCommand.class, DumpsCommand.class, DumpCommand.class,
                DisasterRecoveryCommand.class, CommandLine.HelpCommand.class})
public final class Kbr {

    @Option(names = "--url", scope = ScopeType.INHERIT, defaultValue = "${env:KBR_URL:-http://localhost:8080}",
            description = "catalog-service base URL (env KBR_URL; default ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, defaultValue = "${env:KBR_TOKEN}",
            description = "bearer token for the catalog API (env KBR_TOKEN)")
    String token;

    @Option(names = "--dump-url", scope = ScopeType.INHERIT, defaultValue = "${env:KBR_DUMP_URL:-http://localhost:8083}",
            description = "dump-service base URL, for kbr dump (env KBR_DUMP_URL; default ${DEFAULT-VALUE})")
    String dumpUrl;

    @Option(names = "--restore-url", scope = ScopeType.INHERIT, defaultValue = "${env:KBR_RESTORE_URL:-http://localhost:8084}",
            description = "restore-service base URL, for kbr disaster-recovery (env KBR_RESTORE_URL; default ${DEFAULT-VALUE})")
    String restoreUrl;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print the API's JSON instead of a table")
    boolean json;

    CatalogClient client() {
        return new CatalogClient(url, token);
    }

    CatalogClient dumpClient() {
        return new CatalogClient(dumpUrl, token, "the dump-service", "--dump-url or KBR_DUMP_URL");
    }

    CatalogClient restoreClient() {
        return new CatalogClient(restoreUrl, token, "the restore-service", "--restore-url or KBR_RESTORE_URL");
    }

    /** Runs {@code kbr args}, printing to {@code out}/{@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Kbr());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException c) {
                cmd.getErr().println("kbr: " + c.getMessage());
                cmd.getErr().flush();
                return c.exitCode();
            }
            cmd.getErr().println("kbr: " + e);
            cmd.getErr().flush();
            return ExitCodes.FAILURE;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }
}
