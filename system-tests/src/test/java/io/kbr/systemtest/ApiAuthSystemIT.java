package io.kbr.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbr.demo.KbrStack;
import io.kbr.localservers.JavaService;
import io.kbr.localservers.SharedServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication on the packaged services as KbrStack runs them (docs/auth.md): the stack's key verifies its tokens;
 * without a token the agent's and the catalog's APIs answer 401, role user is 403 on the agent (admin-only) and on
 * another user's store, and 200 on their own; probes stay open.
 */
class ApiAuthSystemIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path workDir;

    private int status(JavaService service, String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(service.url(path))).timeout(Duration.ofSeconds(30));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theStacksServicesAcceptOnlyItsTokensAndUsersOnlyTheirOwnStore() throws Exception {
        Path root = KbrStack.findProjectRoot(Path.of(""));
        try (KbrStack stack = new KbrStack(root, workDir, SharedServers.mariaDb(), SharedServers.kafka(), SharedServers.s3(),
                System.out::println)) {
            stack.seedKopano(2);
            stack.startCatalog();
            stack.startAgent("auth-it");
            JsonNode report = stack.awaitFullBackup(Duration.ofMinutes(3));
            stack.awaitCatalog(report.path("events").asLong(), Duration.ofMinutes(2));

            List<String[]> userStores = new ArrayList<>(); // {user, guid}
            for (JsonNode s : stack.get(stack.catalog(), "/api/v1/stores")) {
                if (!s.path("userName").isNull() && !s.path("userName").asText().isEmpty()) {
                    userStores.add(new String[] {s.path("userName").asText(), s.path("guid").asText()});
                }
            }
            assertThat(userStores).hasSizeGreaterThanOrEqualTo(2);
            String[] a = userStores.get(0);
            String[] b = userStores.get(1);
            String userA = stack.token(a[0], "user");

            // agent: admin-only
            assertThat(status(stack.agent(), "/api/v1/agent/status", null)).isEqualTo(401);
            assertThat(status(stack.agent(), "/api/v1/agent/status", userA)).isEqualTo(403);
            assertThat(status(stack.agent(), "/api/v1/agent/status", stack.adminToken())).isEqualTo(200);
            assertThat(status(stack.agent(), "/q/health/live", null)).isEqualTo(200);

            // catalog: per store
            assertThat(status(stack.catalog(), "/api/v1/stores/" + a[1], null)).isEqualTo(401);
            assertThat(status(stack.catalog(), "/api/v1/stores/" + a[1], userA)).isEqualTo(200);
            assertThat(status(stack.catalog(), "/api/v1/stores/" + b[1], userA)).isEqualTo(403);
            assertThat(status(stack.catalog(), "/api/v1/stores/" + b[1] + "/index.csv", userA)).isEqualTo(403);
            assertThat(status(stack.catalog(), "/api/v1/status", userA)).isEqualTo(403);
            assertThat(status(stack.catalog(), "/q/health/ready", null)).isEqualTo(200);
            HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(stack.catalog().url("/api/v1/me")))
                    .header("Authorization", "Bearer " + userA).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(me.statusCode()).isEqualTo(200);
            JsonNode meJson = JSON.readTree(me.body());
            assertThat(meJson.path("user").asText()).isEqualTo(a[0]);
            assertThat(meJson.path("stores").get(0).asText()).isEqualTo(a[1]);

            // a token of another key pair is refused
            String foreign = io.kbr.auth.TokenIssuer.generate().adminToken("mallory");
            assertThat(status(stack.catalog(), "/api/v1/stores", foreign)).isEqualTo(401);
            assertThat(status(stack.agent(), "/api/v1/agent/status", foreign)).isEqualTo(401);
        }
    }
}
