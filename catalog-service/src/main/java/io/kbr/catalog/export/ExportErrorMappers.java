package io.kbr.catalog.export;

import io.kbr.catalog.rest.ErrorResponse;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A corrupt or missing blob during an export: 500 with the blob named, never a silently broken file. */
public class ExportErrorMappers {
    private static final Logger LOG = Logger.getLogger(ExportErrorMappers.class);

    @ServerExceptionMapper
    public RestResponse<ErrorResponse> blob(ExportBlobException e) {
        LOG.error(e.getMessage());
        return RestResponse.ResponseBuilder.create(Response.Status.INTERNAL_SERVER_ERROR,
                new ErrorResponse(e.missing() ? "blob_missing" : "blob_corrupt", e.getMessage())).type("application/json").build();
    }
}
