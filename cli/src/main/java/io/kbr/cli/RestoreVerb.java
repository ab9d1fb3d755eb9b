package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kbr restore}: builds a {@code POST /api/v1/restores} request from kopano-backup's options, then follows
 * the job with a progress bar until every selected item has an outcome.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore items of a store from the backup (brick-level) or, for items still soft-deleted in Kopano "
                + "and within its softdelete lifetime, by undeleting them in place.",
                "Select items with --sourcekey, or with filters (--folder, --sender, --recipient, --subject, --period-begin/-end, "
                + "--deletes), which combine with AND. Duplicates already in the target are skipped unless --overwrite or --keep-both."},
        footer = {"%nExamples:",
                "  kbr restore --user anna --folder Inbox --recursive --deletes",
                "  kbr restore --user anna --sender bob@example.com --period-begin 2026-01-01 --period-end 2026-02-01 \\",
                "              --target-user carl --restore-root 'Restored/anna'",
                "  kbr restore --store 6E1B...34 --sourcekey 9A0B... --sourcekey 9A0C... --point-in-time 2026-11-01T00:00:00Z",
                "%nExit codes: 0 every item restored or skipped as a duplicate, 1 some items or the job failed, 2-6 as for every verb."})
final class RestoreVerb implements Callable<Integer> {
    @ParentCommand
    Kbr kbr;
    @Spec
    CommandSpec spec;
    @Mixin
    StoreSelection store;

    @Option(names = "--sourcekey", paramLabel = "HEX", description = "restore this item (its sourcekey in hex); repeat for more")
    List<String> sourceKeys = new ArrayList<>();

    @Option(names = "--folder", paramLabel = "PATH|SOURCEKEY",
            description = "only items of this folder: its path as kbr stats shows it (e.g. Inbox or Inbox/Projects) or its sourcekey")
    String folder;

    @Option(names = "--recursive", description = "with --folder: include its subfolders")
    boolean recursive;

    @Option(names = "--sender", description = "only items from this sender (an address matches exactly, other text partially)")
    String sender;

    @Option(names = "--recipient", description = "only items to this recipient (To, Cc or Bcc)")
    String recipient;

    @Option(names = "--subject", paramLabel = "WORDS", description = "only items whose subject contains all these words")
    String subject;

    @Option(names = "--period-begin", paramLabel = "TIME", description = "only items delivered (or modified, see --period-field) at or after TIME "
            + "(ISO-8601 instant or date, e.g. 2026-01-01)")
    String periodBegin;

    @Option(names = "--period-end", paramLabel = "TIME", description = "only items delivered (or modified) before TIME")
    String periodEnd;

    @Option(names = "--period-field", paramLabel = "delivery|modified", defaultValue = "delivery",
            description = "the time --period-begin/-end apply to: delivery time (default) or last-modified time")
    String periodField;

    @Option(names = "--deletes", description = "only items that are deleted (soft- or hard-) at the point in time")
    boolean deletes;

    @Option(names = "--point-in-time", paramLabel = "TIME", description = "restore the items as they were then (default: their latest backed-up version)")
    String pointInTime;

    @Option(names = "--target-server", paramLabel = "ID", description = "the Kopano server to restore into (default: the source store's)")
    String targetServer;

    @Option(names = "--target-user", paramLabel = "USER", description = "restore into this user's store (default: the source store)")
    String targetUser;

    @Option(names = "--target-store", paramLabel = "GUID", description = "restore into the store with this GUID")
    String targetStore;

    @Option(names = "--restore-root", paramLabel = "PATH", description = "create the restored folders under this folder of the target "
            + "('/'-separated, created when missing)")
    String restoreRoot;

    @Option(names = "--overwrite", description = "replace an item already restored before instead of skipping it")
    boolean overwrite;

    @Option(names = "--keep-both", description = "restore a second copy even when the item was restored before")
    boolean keepBoth;

    @Option(names = "--skip-meta", description = "do not restore the store's metadata (rules, ACLs, settings); the default restores them")
    boolean skipMeta;

    @Option(names = "--only-meta", description = "restore only the store's metadata (rules, ACLs, settings, delegates), no items")
    boolean onlyMeta;

    @Option(names = "--no-wait", description = "print the job id and return at once instead of following the job")
    boolean noWait;

    @Override
    public Integer call() throws InterruptedException {
        if (overwrite && keepBoth) {
            throw new CliException(ExitCodes.USAGE, "choose one of --overwrite and --keep-both");
        }
        if (targetUser != null && targetStore != null) {
            throw new CliException(ExitCodes.USAGE, "choose one of --target-user and --target-store");
        }
        if (recursive && folder == null) {
            throw new CliException(ExitCodes.USAGE, "--recursive needs --folder");
        }
        if (onlyMeta && (skipMeta || !sourceKeys.isEmpty() || folder != null || sender != null || recipient != null || subject != null
                || periodBegin != null || periodEnd != null || deletes)) {
            throw new CliException(ExitCodes.USAGE, "--only-meta restores the store's metadata alone: no --skip-meta, --sourcekey or item filters");
        }
        CatalogClient client = kbr.client();
        String guid = store.resolve(client);
        Map<String, Object> body = request(client, guid);
        JsonNode job = client.post("/api/v1/restores", body);
        String id = job.path("id").asText();
        PrintWriter out = spec.commandLine().getOut();
        if (noWait) {
            out.println(kbr.json ? job.toPrettyString() : "restore " + id + " " + job.path("state").asText()
                    + "; follow it with: kbr restore-status " + id);
            return ExitCodes.OK;
        }
        job = follow(client, id, spec.commandLine().getErr());
        return report(job, out, kbr.json);
    }

    Map<String, Object> request(CatalogClient client, String guid) {
        Map<String, Object> selection = new LinkedHashMap<>();
        selection.put("storeGuid", guid);
        if (!sourceKeys.isEmpty()) {
            selection.put("sourceKeys", sourceKeys);
        }
        put(selection, "sender", sender);
        put(selection, "recipient", recipient);
        if (subject != null && !subject.isBlank()) {
            selection.put("subjectWords", List.of(subject.trim().split("\\s+")));
        }
        if (periodBegin != null || periodEnd != null) {
            Map<String, Object> period = new LinkedHashMap<>();
            period.put("field", switch (periodField.toLowerCase(Locale.ROOT)) {
                case "delivery" -> "DELIVERY_TIME";
                case "modified" -> "LAST_MODIFIED";
                default -> throw new CliException(ExitCodes.USAGE, "--period-field is delivery or modified, not '" + periodField + "'");
            });
            put(period, "from", instant("--period-begin", periodBegin));
            put(period, "to", instant("--period-end", periodEnd));
            selection.put("period", period);
        }
        if (folder != null) {
            selection.put("folderSourceKey", Folders.resolve(client, guid, folder));
            selection.put("includeSubfolders", recursive);
        }
        if (deletes) {
            selection.put("deletedOnly", true);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("selection", selection);
        put(body, "asOf", instant("--point-in-time", pointInTime));
        Map<String, Object> target = new LinkedHashMap<>();
        put(target, "serverId", targetServer);
        if (targetUser != null) {
            target.put("storeGuid", StoreSelection.byUser(client, targetUser));
        } else if (targetStore != null) {
            target.put("storeGuid", StoreSelection.checkGuid("--target-store", targetStore));
        }
        put(target, "restoreRoot", restoreRoot);
        if (!target.isEmpty()) {
            body.put("target", target);
        }
        body.put("conflictMode", overwrite ? "OVERWRITE" : keepBoth ? "KEEP_BOTH" : "SKIP");
        body.put("includeMetadata", !skipMeta);
        if (onlyMeta) {
            body.put("metadataOnly", true);
        }
        return body;
    }

    /** Polls the job until it is terminal, drawing progress on {@code err}. */
    static JsonNode follow(CatalogClient client, String id, PrintWriter err) throws InterruptedException {
        Progress progress = Progress.onStandardError(err);
        JsonNode job;
        while (true) {
            job = client.get("/api/v1/restores/" + id);
            String state = job.path("state").asText();
            JsonNode c = job.path("counts");
            long done = c.path("restored").asLong() + c.path("skippedAsDuplicate").asLong() + c.path("undeleted").asLong()
                    + c.path("failed").asLong();
            long selected = c.path("selected").isNumber() ? c.path("selected").asLong() : 0;
            progress.update("restore " + state.toLowerCase(Locale.ROOT), done, selected, "items",
                    c.path("failed").asLong() > 0 ? "(" + c.path("failed").asLong() + " failed)" : "");
            if (terminal(state)) {
                break;
            }
            Thread.sleep(300);
        }
        progress.finish();
        return job;
    }

    static boolean terminal(String state) {
        return state.equals("DONE") || state.equals("DONE_WITH_FAILURES") || state.equals("FAILED");
    }

    /** Prints the outcome; exit 0 only when nothing failed. */
    static int report(JsonNode job, PrintWriter out, boolean json) {
        String state = job.path("state").asText();
        if (json) {
            out.println(job.toPrettyString());
        } else {
            JsonNode c = job.path("counts");
            out.printf("restore %s: %s — %d selected, %d restored, %d undeleted, %d skipped as duplicates, %d failed%n",
                    job.path("id").asText(), state, c.path("selected").asLong(), c.path("restored").asLong(), c.path("undeleted").asLong(),
                    c.path("skippedAsDuplicate").asLong(), c.path("failed").asLong());
            if (job.hasNonNull("reason")) {
                out.println("  " + job.path("reason").asText());
            }
            for (JsonNode item : job.path("items")) {
                if ("FAILED".equals(item.path("outcome").asText())) {
                    out.printf("  failed %s: %s%n", item.path("sourceKey").asText(), item.path("reason").asText());
                }
            }
        }
        return state.equals("DONE") ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** An ISO-8601 instant, or a date (midnight UTC); null stays null. */
    static String instant(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            return java.time.Instant.parse(value).toString();
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return java.time.LocalDate.parse(value).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toString();
            } catch (java.time.format.DateTimeParseException e2) {
                throw new CliException(ExitCodes.USAGE, option + " expects an ISO-8601 instant (2026-01-31T12:00:00Z) or date (2026-01-31), not '"
                        + value + "'");
            }
        }
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
