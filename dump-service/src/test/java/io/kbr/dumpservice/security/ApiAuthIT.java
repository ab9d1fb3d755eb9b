package io.kbr.dumpservice.security;

import static org.hamcrest.Matchers.containsString;

import io.kbr.auth.testing.ExplicitTokens;
import io.kbr.auth.testing.TestAuth;
import io.kbr.dumpservice.DumpServersResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/**
 * Dumps are admin-only: without a token 401, role user 403, admin 2xx (listing) or the endpoint's own 400/404. Probes
 * stay open. (A full dump as admin: DumpServiceIT.)
 */
@QuarkusTest
@ExplicitTokens
@QuarkusTestResource(value = DumpServersResource.class, restrictToAnnotatedClass = true)
class ApiAuthIT {

    private static RequestSpecification as(String token) {
        RequestSpecification r = RestAssured.given();
        return token == null ? r : r.header("Authorization", TestAuth.bearer(token));
    }

    @Test
    void dumpsNeedTheRoleAdmin() {
        String user = TestAuth.user("bob");
        String admin = TestAuth.admin();
        as(null).get("/api/v1/dumps").then().statusCode(401);
        as(user).get("/api/v1/dumps").then().statusCode(403);
        as(admin).get("/api/v1/dumps").then().statusCode(200);

        as(null).contentType(ContentType.JSON).body("{}").post("/api/v1/dumps").then().statusCode(401);
        as(user).contentType(ContentType.JSON).body("{}").post("/api/v1/dumps").then().statusCode(403);
        as(admin).contentType(ContentType.JSON).body("{}").post("/api/v1/dumps").then().statusCode(400)
                .body("error", containsString("server"));

        as(null).get("/api/v1/dumps/no-such").then().statusCode(401);
        as(user).get("/api/v1/dumps/no-such").then().statusCode(403);
        as(admin).get("/api/v1/dumps/no-such").then().statusCode(404);

        as("not-a-jwt").get("/api/v1/dumps").then().statusCode(401);
        as(io.kbr.auth.TokenIssuer.generate(TestAuth.ISSUER).adminToken("mallory")).get("/api/v1/dumps").then().statusCode(401);
    }

    @Test
    void probesStayOpen() {
        as(null).get("/q/health/live").then().statusCode(200);
        as(null).get("/q/metrics").then().statusCode(200);
    }
}
