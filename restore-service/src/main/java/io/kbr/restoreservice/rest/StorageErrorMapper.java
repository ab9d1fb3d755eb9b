package io.kbr.restoreservice.rest;

import io.kbr.blobstore.BlobStoreException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Object storage failures as 503 {@code {error, detail}}, never a stack trace. */
@Provider
public class StorageErrorMapper implements ExceptionMapper<BlobStoreException> {
    @Override
    public Response toResponse(BlobStoreException e) {
        return DisasterRecoveryResource.error(503, "object storage unavailable", e.getMessage());
    }
}
