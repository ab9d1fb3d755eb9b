package io.kbr.auth.testing;

import io.quarkus.test.junit.callback.QuarkusTestAfterConstructCallback;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.util.ArrayList;
import java.util.List;

/**
 * Every {@code @QuarkusTest} that does not say {@link ExplicitTokens} talks to its service as an admin: a RestAssured
 * filter adds {@link TestAuth#admin()} to each request that has no {@code Authorization} header. The tests written
 * before authentication (and new ones about something else) keep working unchanged; {@code CatalogSecurityIT} and the services' {@code ApiAuthIT}s test the
 * authorisation itself with explicit tokens (and no default). Registered in this library's {@code META-INF/services}.
 */
public class DefaultAdminToken implements QuarkusTestAfterConstructCallback, QuarkusTestBeforeEachCallback {

    /** Adds the admin token unless the request has its own {@code Authorization} header. */
    public static final class AdminTokenFilter implements Filter {
        private static final String HEADER = TestAuth.bearer(TestAuth.admin());

        @Override
        public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response, FilterContext ctx) {
            if (!request.getHeaders().hasHeaderWithName("Authorization")) {
                request.header("Authorization", HEADER);
            }
            return ctx.next(request, response);
        }
    }

    @Override
    public void afterConstruct(Object testInstance) {
        apply(testInstance.getClass());
    }

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        apply(context.getTestInstance().getClass());
    }

    private static synchronized void apply(Class<?> testClass) {
        List<Filter> filters = new ArrayList<>(RestAssured.filters());
        // by name: each Quarkus restart loads these classes in a new class loader, RestAssured's list outlives it
        filters.removeIf(f -> f.getClass().getName().equals(AdminTokenFilter.class.getName()));
        boolean explicit = java.util.Arrays.stream(testClass.getAnnotations())
                .anyMatch(a -> a.annotationType().getName().equals(ExplicitTokens.class.getName()));
        if (!explicit) {
            filters.add(new AdminTokenFilter());
        }
        RestAssured.replaceFiltersWith(filters);
    }
}
