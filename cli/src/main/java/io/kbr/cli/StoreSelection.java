package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** {@code --user NAME} or {@code --store GUID}, as kopano-backup selects a store. */
final class StoreSelection {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    static final class Choice {
        @Option(names = {"-u", "--user"}, description = "the store of this Kopano user", required = true)
        String user;

        @Option(names = "--store", description = "the store with this GUID (32 hex digits)", required = true)
        String store;
    }

    /** The store GUID, looked up by user name through /api/v1/stores when needed. */
    String resolve(CatalogClient client) {
        if (choice.store != null) {
            return checkGuid("--store", choice.store);
        }
        return byUser(client, choice.user);
    }

    static String checkGuid(String option, String guid) {
        if (!guid.matches("[0-9a-fA-F]{32}")) {
            throw new CliException(ExitCodes.USAGE, option + " expects a store GUID of 32 hex digits, not '" + guid + "'");
        }
        return guid.toLowerCase(java.util.Locale.ROOT);
    }

    /** The GUID of the one backed-up store of {@code user}. */
    static String byUser(CatalogClient client, String user) {
        JsonNode stores = client.get("/api/v1/stores");
        List<String> matches = new ArrayList<>();
        for (JsonNode s : stores.path("stores").isArray() ? stores.path("stores") : stores) {
            if (user.equalsIgnoreCase(s.path("userName").asText())) {
                matches.add(s.path("guid").asText());
            }
        }
        if (matches.isEmpty()) {
            throw new CliException(ExitCodes.REJECTED, "no backed-up store of user '" + user + "' (see kbr stores)");
        }
        if (matches.size() > 1) {
            throw new CliException(ExitCodes.REJECTED, "user '" + user + "' has " + matches.size()
                    + " stores on different servers: " + matches + "; choose one with --store");
        }
        return matches.get(0);
    }
}
