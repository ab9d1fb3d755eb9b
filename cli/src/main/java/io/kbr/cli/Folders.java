package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Resolves {@code --folder} (a path as kbr stats prints it, or a sourcekey) to a folder sourcekey of a store. */
final class Folders {
    private Folders() {
    }

    static String resolve(CatalogClient client, String storeGuid, String folder) {
        return resolve(client.get("/api/v1/stores/" + storeGuid + "/folders").path("folders"), folder);
    }

    /**
     * A folder whose sourcekey is {@code folder}, or whose path ends with {@code folder}'s '/'-separated names
     * (case-insensitive), e.g. "Inbox" or "Inbox/Projects"; ambiguous or unknown names are errors that list the choices.
     */
    static String resolve(JsonNode folders, String folder) {
        String wanted = folder.trim();
        for (JsonNode f : folders) {
            if (f.path("sourceKey").asText().equalsIgnoreCase(wanted)) {
                return f.path("sourceKey").asText();
            }
        }
        List<String> names = Arrays.stream(wanted.split("/")).filter(s -> !s.isBlank()).map(Folders::norm).toList();
        if (names.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "--folder needs a folder path or sourcekey");
        }
        List<JsonNode> matches = new ArrayList<>();
        for (JsonNode f : folders) {
            List<String> path = new ArrayList<>();
            f.path("path").forEach(p -> path.add(norm(p.asText())));
            if (path.size() >= names.size() && path.subList(path.size() - names.size(), path.size()).equals(names)) {
                matches.add(f);
            }
        }
        if (matches.size() == 1) {
            return matches.get(0).path("sourceKey").asText();
        }
        if (matches.isEmpty()) {
            throw new CliException(ExitCodes.REJECTED, "no folder '" + folder + "' in this store (kbr stats lists its folders)");
        }
        List<String> choices = matches.stream().map(f -> pathOf(f) + " (" + f.path("sourceKey").asText() + ")").toList();
        throw new CliException(ExitCodes.REJECTED, "--folder '" + folder + "' matches " + matches.size()
                + " folders; give more of the path or the sourcekey: " + String.join(", ", choices));
    }

    private static String pathOf(JsonNode f) {
        List<String> p = new ArrayList<>();
        f.path("path").forEach(n -> p.add(n.asText()));
        return String.join("/", p);
    }

    private static String norm(String s) {
        return s.trim().toLowerCase(Locale.ROOT);
    }
}
