package io.kbr.restoreservice.items;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The catalog's HTTP API as the item restores use it ({@code GET /api/v1/items}, {@code …/items/{key}/versions},
 * {@code …/folders}), with {@code Authorization: Bearer <kbr.restore.catalog.token>} when a token is configured.
 * A 4xx answer is a {@link CatalogRejection} (the request cannot succeed as it is); a 5xx answer or a transport failure
 * is an {@link IOException} (retry later).
 */
public final class CatalogClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The catalog refused the call (4xx), e.g. an unknown store or item. */
    public static final class CatalogRejection extends Exception {
        private final int status;

        CatalogRejection(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final String baseUrl;
    private final Optional<String> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public CatalogClient(String baseUrl, Optional<String> token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token.filter(t -> !t.isBlank());
    }

    public JsonNode get(String path, Map<String, String> query) throws IOException, CatalogRejection, InterruptedException {
        StringJoiner q = new StringJoiner("&");
        for (var e : query.entrySet()) {
            if (e.getValue() != null) {
                q.add(e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            }
        }
        String url = baseUrl + path + (q.length() == 0 ? "" : "?" + q);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).header("Accept", "application/json");
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 400 && r.statusCode() < 500) {
            throw new CatalogRejection(r.statusCode(), "the catalog answered " + r.statusCode() + " to GET " + path + ": " + r.body());
        }
        if (r.statusCode() != 200) {
            throw new IOException("the catalog answered " + r.statusCode() + " to GET " + path + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** {@code POST path} with a JSON body; the answer as for {@link #get}. */
    public JsonNode post(String path, Object body) throws IOException, CatalogRejection, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(120))
                .header("Accept", "application/json").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 400 && r.statusCode() < 500) {
            throw new CatalogRejection(r.statusCode(), "the catalog answered " + r.statusCode() + " to POST " + path + ": " + r.body());
        }
        if (r.statusCode() != 200) {
            throw new IOException("the catalog answered " + r.statusCode() + " to POST " + path + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    public JsonNode get(String path) throws IOException, CatalogRejection, InterruptedException {
        return get(path, new LinkedHashMap<>());
    }
}
