package io.kbr.restoreservice.security;

import static org.hamcrest.Matchers.equalTo;

import io.kbr.auth.testing.ExplicitTokens;
import io.kbr.auth.testing.TestAuth;
import io.kbr.restoreservice.RestoreServersResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/**
 * Disaster recovery is admin-only: without a token 401, role user 403 (even for their own user name), admin reaches the
 * endpoint (its own 400/404 answers). Probes stay open. (The full recovery as admin: DisasterRecoveryApiIT.)
 */
@QuarkusTest
@ExplicitTokens
@QuarkusTestResource(value = RestoreServersResource.class, restrictToAnnotatedClass = true)
class ApiAuthIT {

    private static RequestSpecification as(String token) {
        RequestSpecification r = RestAssured.given();
        return token == null ? r : r.header("Authorization", TestAuth.bearer(token));
    }

    @Test
    void disasterRecoveryNeedsTheRoleAdmin() {
        String user = TestAuth.user("bob");
        String admin = TestAuth.admin();
        as(null).contentType(ContentType.JSON).body("{}").post("/api/v1/disaster-recoveries").then().statusCode(401);
        as(user).contentType(ContentType.JSON).body("{}").post("/api/v1/disaster-recoveries").then().statusCode(403);
        as(admin).contentType(ContentType.JSON).body("{}").post("/api/v1/disaster-recoveries").then().statusCode(400)
                .body("error", equalTo("missing field: dumpId"));

        as(null).get("/api/v1/disaster-recoveries/no-such").then().statusCode(401);
        as(user).get("/api/v1/disaster-recoveries/no-such").then().statusCode(403);
        as(admin).get("/api/v1/disaster-recoveries/no-such").then().statusCode(404);

        as("not-a-jwt").get("/api/v1/disaster-recoveries/no-such").then().statusCode(401);
        as(io.kbr.auth.TokenIssuer.generate(TestAuth.ISSUER).adminToken("mallory")).get("/api/v1/disaster-recoveries/no-such")
                .then().statusCode(401); // signed with another key
    }

    @Test
    void probesStayOpen() {
        as(null).get("/q/health/live").then().statusCode(200);
        as(null).get("/q/metrics").then().statusCode(200);
    }
}
