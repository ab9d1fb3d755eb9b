package io.kbr.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.demo.KbrStack;
import io.kbr.kopano.model.Store;
import io.kbr.kopano.read.KopanoReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Map;
import java.util.TreeMap;

/**
 * A store's items as Kopano holds them and as the catalog lists them, in one comparable form:
 * sourcekey → folder sourcekey, plus {@code " deleted"} when soft-deleted (hard-deleted items are absent).
 */
final class StoreStates {
    private StoreStates() {
    }

    static Map<String, String> kopanoItems(KbrStack stack, String guid) throws Exception {
        Map<String, String> items = new TreeMap<>();
        try (Connection c = stack.kopanoConnection()) {
            KopanoReader reader = new KopanoReader(c, stack.attachmentStorage());
            Store s = reader.stores().stream().filter(x -> x.guid().hex().equals(guid)).findFirst().orElseThrow();
            reader.forEachMessage(s, (f, m) -> items.put(m.sourceKey().hex(), f.sourceKey().hex() + (m.softDeleted() ? " deleted" : "")));
        }
        return items;
    }

    /** The catalog's view; null while the catalog does not answer (e.g. restarting). An item listed twice fails. */
    static Map<String, String> catalogItems(KbrStack stack, String guid) {
        Map<String, String> items = new TreeMap<>();
        try {
            String cursor = null;
            do {
                JsonNode page = stack.get(stack.catalog(), "/api/v1/items?store=" + guid + "&limit=1000"
                        + (cursor == null ? "" : "&after=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
                for (JsonNode item : page.path("items")) {
                    if (!item.path("hardDeleted").asBoolean()) {
                        String previous = items.put(item.path("sourceKey").asText(),
                                item.path("folderSourceKey").asText() + (item.path("softDeleted").asBoolean() ? " deleted" : ""));
                        assertThat(previous).as("item %s listed twice", item.path("sourceKey").asText()).isNull();
                    }
                }
                cursor = page.path("nextCursor").isNull() || page.path("nextCursor").isMissingNode() ? null : page.path("nextCursor").asText();
            } while (cursor != null);
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            return null;
        }
        return items;
    }
}
