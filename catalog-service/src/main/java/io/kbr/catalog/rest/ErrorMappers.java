package io.kbr.catalog.rest;

import io.kbr.catalog.service.CatalogDatabaseException;
import io.kbr.catalog.service.InvalidParameterException;
import io.kbr.catalog.service.ObjectStoreUnavailableException;
import io.kbr.catalog.service.RetentionBusyException;
import io.kbr.catalog.service.UnknownFolderException;
import io.kbr.catalog.service.UnknownItemException;
import io.kbr.catalog.service.UnknownStoreException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every exception that reaches the REST layer into a JSON {@link ErrorResponse}. Client errors say
 * what was wrong; server errors say only that something failed and give an incident id that is also in the
 * log, next to the stack trace — which never reaches a client.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public RestResponse<ErrorResponse> invalidParameter(InvalidParameterException e) {
        return json(Response.Status.BAD_REQUEST, "invalid_parameter", e.getMessage());
    }

    @ServerExceptionMapper
    public RestResponse<ErrorResponse> unknownStore(UnknownStoreException e) {
        return json(Response.Status.NOT_FOUND, "store_not_found", e.getMessage());
    }

    @ServerExceptionMapper
    public RestResponse<ErrorResponse> unknownItem(UnknownItemException e) {
        return json(Response.Status.NOT_FOUND, "item_not_found", e.getMessage());
    }

    @ServerExceptionMapper
    public RestResponse<ErrorResponse> unknownFolder(UnknownFolderException e) {
        return json(Response.Status.NOT_FOUND, "folder_not_found", e.getMessage());
    }

    @ServerExceptionMapper
    public RestResponse<ErrorResponse> objectStore(io.kbr.blobstore.BlobStoreException e) {
        String incident = UUID.randomUUID().toString();
        LOG.errorf(e, "incident %s: %s", incident, e.getMessage());
        return json(Response.Status.SERVICE_UNAVAILABLE, "object_store_unavailable",
                "The object store failed; try again later (incident " + incident + ")");
    }

    @ServerExceptionMapper
    public RestResponse<ErrorResponse> objectStoreUnavailable(ObjectStoreUnavailableException e) {
        return json(Response.Status.CONFLICT, "object_store_not_configured", e.getMessage());
    }

    @ServerExceptionMapper
    public RestResponse<ErrorResponse> retentionBusy(RetentionBusyException e) {
        return json(Response.Status.CONFLICT, "retention_running", e.getMessage());
    }

    @ServerExceptionMapper
    public RestResponse<ErrorResponse> database(CatalogDatabaseException e) {
        String incident = UUID.randomUUID().toString();
        LOG.errorf(e, "incident %s: %s", incident, e.getMessage());
        return json(Response.Status.SERVICE_UNAVAILABLE, "catalog_unavailable",
                "The catalog database cannot answer right now; try again later (incident " + incident + ")");
    }

    /** Routing and content negotiation errors (unknown path, wrong method, ...): keep their status. */
    @ServerExceptionMapper
    public RestResponse<ErrorResponse> webApplication(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            return internal(e);
        }
        String code = status.getReasonPhrase().toLowerCase().replace(' ', '_');
        return json(status, code, status.getStatusCode() == 404 ? "No such resource" : status.getReasonPhrase());
    }

    @ServerExceptionMapper
    public RestResponse<ErrorResponse> internal(Throwable e) {
        String incident = UUID.randomUUID().toString();
        LOG.errorf(e, "incident %s: unexpected error", incident);
        return json(Response.Status.INTERNAL_SERVER_ERROR, "internal_error",
                "The catalog service failed to answer (incident " + incident + ")");
    }

    private static RestResponse<ErrorResponse> json(Response.StatusType status, String error, String detail) {
        return RestResponse.ResponseBuilder.create(status, new ErrorResponse(error, detail))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
