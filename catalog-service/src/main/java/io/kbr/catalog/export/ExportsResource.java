package io.kbr.catalog.export;

import io.kbr.catalog.service.InvalidParameterException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /api/v1/exports}: an mbox of a selection given in the body ({@link ExportRequest}); see {@link ExportResource}. */
@Path("/api/v1/exports")
@Tag(name = "exports")
public class ExportsResource {
    private final ExportResource exports;

    public ExportsResource(ExportResource exports) {
        this.exports = exports;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(ExportResource.MBOX)
    @Operation(summary = "Selected items as one mboxrd file, streamed (selection in the body: sourceKeys or search filters)")
    @APIResponse(responseCode = "400", description = "An invalid field; the detail names it")
    @APIResponse(responseCode = "404", description = "The store or a listed item is not in the catalog")
    @APIResponse(responseCode = "500", description = "A blob is corrupt or missing; the detail names it")
    public Response post(ExportRequest request) {
        if (request == null) {
            throw new InvalidParameterException("body", "expected a JSON object with storeGuid and sourceKeys or filters");
        }
        return exports.export(request, "storeGuid");
    }

}
