package io.kbr.catalog.security;

import io.kbr.catalog.rest.ErrorResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** 403 answers as JSON {@link ErrorResponse}s ({@code forbidden}, with the reason). */
public class SecurityErrorMappers {

    @ServerExceptionMapper
    public RestResponse<ErrorResponse> denied(StoreAccessDeniedException e) {
        return forbidden(e.getMessage());
    }

    /** {@code @RolesAllowed} failures; without this the catch-all mapper would make them 500s. */
    @ServerExceptionMapper
    public RestResponse<ErrorResponse> forbidden(io.quarkus.security.ForbiddenException e) {
        return forbidden("this needs the role admin");
    }

    /** Only if a resource is reached without authentication (the path policy normally answers 401 first). */
    @ServerExceptionMapper
    public RestResponse<ErrorResponse> unauthorized(io.quarkus.security.UnauthorizedException e) {
        return RestResponse.ResponseBuilder.create(Response.Status.UNAUTHORIZED,
                new ErrorResponse("unauthorized", "a bearer token is required")).header("WWW-Authenticate", "Bearer")
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static RestResponse<ErrorResponse> forbidden(String detail) {
        return RestResponse.ResponseBuilder.create(Response.Status.FORBIDDEN, new ErrorResponse("forbidden", detail))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
