package io.kbr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A kbr service's REST API as the CLI uses it (the catalog, or the dump- and restore-service for dumps and
 * disaster recovery): JSON in and out, errors turned into {@link CliException}s that name the service.
 */
final class CatalogClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final String service;
    private final String urlOption;

    CatalogClient(String baseUrl, String token) {
        this(baseUrl, token, "the catalog", "--url or KBR_URL");
    }

    /** {@code service} names it in messages ("the dump-service"), {@code urlOption} says how to point the CLI elsewhere. */
    CatalogClient(String baseUrl, String token, String service, String urlOption) {
        this.service = service;
        this.urlOption = urlOption;
        String b = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        try {
            this.base = URI.create(b);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, optionName() + " '" + baseUrl + "' is not a URL: " + e.getMessage());
        }
        if (base.getScheme() == null || base.getHost() == null) {
            throw new CliException(ExitCodes.USAGE, optionName() + " '" + baseUrl + "' needs a scheme and host, e.g. http://catalog:8080");
        }
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    JsonNode get(String path) {
        return parse(send(request(path).GET().build()), path);
    }

    JsonNode post(String path, Object body) {
        try {
            String json = JSON.writeValueAsString(body);
            return parse(send(request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build()), path);
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILURE, "cannot encode the request: " + e.getMessage());
        }
    }

    /** Copies a (possibly large) response body to {@code out} as it arrives. */
    long download(String path, OutputStream out) {
        HttpRequest req = request(path).GET().build();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() >= 300) {
                String body;
                try (InputStream in = r.body()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                throw rejected(service, path, r.statusCode(), body);
            }
            try (InputStream in = r.body()) {
                return in.transferTo(out);
            }
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILURE, "interrupted");
        }
    }

    static String query(Map<String, Object> params) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        params.forEach((k, v) -> {
            if (v != null) {
                q.add(k + "=" + URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
            }
        });
        return q.toString();
    }

    static Map<String, Object> params() {
        return new LinkedHashMap<>();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(30))
                .header("Accept", "application/json, text/csv");
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILURE, "interrupted");
        }
    }

    private JsonNode parse(HttpResponse<String> r, String path) {
        if (r.statusCode() >= 300) {
            throw rejected(service, path, r.statusCode(), r.body());
        }
        try {
            return JSON.readTree(r.body().isEmpty() ? "{}" : r.body());
        } catch (IOException e) {
            throw new CliException(ExitCodes.SERVER_ERROR, service + " answered " + path + " with something that is not JSON: " + e.getMessage());
        }
    }

    /** The catalog's errors are {"error": ..., "detail": ...}; show them as they are. */
    static CliException rejected(String path, int status, String body) {
        return rejected("the catalog", path, status, body);
    }

    static CliException rejected(String service, String path, int status, String body) {
        String message = body;
        try {
            JsonNode n = JSON.readTree(body);
            String error = n.path("error").asText("");
            String detail = n.path("detail").asText("");
            message = (error + (detail.isEmpty() ? "" : ": " + detail)).trim();
        } catch (IOException | RuntimeException ignored) {
            // not JSON: show the text
        }
        if (message == null || message.isBlank()) {
            message = "(no message)";
        }
        int code = status == 401 || status == 403 ? ExitCodes.DENIED : status >= 500 ? ExitCodes.SERVER_ERROR : ExitCodes.REJECTED;
        String what = status == 401 ? "not authenticated (give --token or KBR_TOKEN)" : status == 403 ? "not allowed" : "HTTP " + status;
        return new CliException(code, service + " refused " + path + " (" + what + "): " + message);
    }

    private CliException unreachable(IOException e) {
        String why = e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return new CliException(ExitCodes.UNREACHABLE, "cannot reach " + service + " at " + base + " (" + why + "); check " + urlOption);
    }

    private String optionName() {
        return urlOption.split(" ")[0];
    }
}
