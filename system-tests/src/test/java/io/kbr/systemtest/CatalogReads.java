package io.kbr.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.demo.KbrStack;
import io.kbr.events.schema.BlobRef;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads of the catalog API the restore system tests share. */
final class CatalogReads {
    private CatalogReads() {
    }

    /** The catalog's items of a store (all pages) with extra query parameters, by sourcekey. */
    static Map<String, JsonNode> catalogItems(KbrStack stack, String guid, String query) throws Exception {
        Map<String, JsonNode> items = new LinkedHashMap<>();
        String cursor = null;
        do {
            JsonNode page = stack.get(stack.catalog(), "/api/v1/items?store=" + guid + "&limit=1000" + query
                    + (cursor == null ? "" : "&after=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            for (JsonNode i : page.path("items")) {
                items.put(i.path("sourceKey").asText(), i);
            }
            cursor = page.path("nextCursor").isNull() || page.path("nextCursor").isMissingNode() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        return items;
    }

    /** The document reference of the item's latest version that has one. */
    static BlobRef latestDocument(KbrStack stack, String guid, String key) throws Exception {
        JsonNode versions = stack.get(stack.catalog(), "/api/v1/stores/" + guid + "/items/" + key + "/versions");
        JsonNode d = null;
        for (JsonNode v : versions) {
            if (v.path("document").isObject()) {
                d = v.path("document");
            }
        }
        assertThat(d).as("a document of %s", key).isNotNull();
        return new BlobRef(d.path("sha256").asText(), d.path("size").asLong(), d.path("pack").isMissingNode() || d.path("pack").isNull() ? null
                : d.path("pack").asText(), d.path("offset").asLong(), d.path("storedLength").asLong());
    }
}
