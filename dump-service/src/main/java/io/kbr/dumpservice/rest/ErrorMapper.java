package io.kbr.dumpservice.rest;

import io.kbr.dumpservice.service.UnknownServerException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

/** Errors as {@code {error, detail}} JSON, never a stack trace. */
@Provider
public class ErrorMapper implements ExceptionMapper<UnknownServerException> {

    @Override
    public Response toResponse(UnknownServerException e) {
        return error(400, "unknown server", e.getMessage());
    }

    static Response error(int status, String error, String detail) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", error, "detail", detail)).build();
    }
}
