package io.kbr.catalog.export;

import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.model.DeletedFilter;
import io.kbr.catalog.model.ItemQuery;
import io.kbr.catalog.security.StoreAccess;
import io.kbr.catalog.service.InvalidParameterException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * Downloads of backed-up items (issue 5, item 4): one item as {@code .eml}, several as one mboxrd file. The original
 * RFC 822 text when Kopano kept it, byte for byte; otherwise generated from the item document. Blobs are verified by
 * hash on read: a corrupt or missing one answers 500 naming it ({@link ExportBlobException}); in an mbox that is
 * already streaming it aborts the transfer (the client sees a broken download, never a silently shortened file).
 * Per-store access through {@link StoreAccess}: role user only for their own store.
 */
@Path("/api/v1/stores") // as StoreResource: JAX-RS matches the longest class path first, so "/api/v1" would never see these
@Tag(name = "exports")
public class ExportResource {
    private static final Logger LOG = Logger.getLogger(ExportResource.class);
    static final String MBOX = "application/mbox";
    /** Most sourcekeys one request may list (a larger selection: use filters, which are paged). */
    static final int MAX_SOURCE_KEYS = 10_000;

    private final ExportService exports;
    private final StoreAccess access;

    public ExportResource(ExportService exports, StoreAccess access) {
        this.exports = exports;
        this.access = access;
    }

    @GET
    @Path("/{guid}/items/{sourceKey}/eml")
    @Produces("message/rfc822")
    @Operation(summary = "One item as .eml: the original RFC 822 text when Kopano kept it, else generated from the backup")
    @APIResponse(responseCode = "400", description = "An invalid parameter; the detail names it")
    @APIResponse(responseCode = "404", description = "The store or item is not in the catalog (or has no version then)")
    @APIResponse(responseCode = "500", description = "A blob of the item is corrupt or missing; the detail names it")
    public Response eml(@Parameter(description = "store GUID, 32 hex digits") @PathParam("guid") String guid,
            @Parameter(description = "the item's sourcekey in hex") @PathParam("sourceKey") String sourceKey,
            @Parameter(description = "ISO-8601 instant: the item as it was then (default: its latest version)") @QueryParam("asOf") String asOf,
            @Parameter(description = "an eventId from the item's /versions: exactly that version") @QueryParam("version") String version) {
        byte[] store = guid("guid", guid);
        access.requireStore(store);
        byte[] key = sourceKey("sourceKey", sourceKey);
        ExportService.Selected s = exports.select(store, key, instant("asOf", asOf), present(version) ? version.trim() : null);
        byte[] eml = exports.eml(s);
        return Response.ok(eml, "message/rfc822").header("Content-Disposition", "attachment; filename=\"" + s.sourceKey() + ".eml\"")
                .header("X-Kbr-Version", s.version().eventId()).build();
    }

    @GET
    @Path("/{guid}/mbox")
    @Produces(MBOX)
    @Operation(summary = "Selected items as one mboxrd file, streamed",
            description = "Either sourceKey (repeatable, or comma-separated) or the item search's filters; asOf for every item.")
    @APIResponse(responseCode = "400", description = "An invalid parameter; the detail names it")
    @APIResponse(responseCode = "404", description = "The store or a listed item is not in the catalog")
    @APIResponse(responseCode = "500", description = "A blob is corrupt or missing; the detail names it")
    public Response mbox(@PathParam("guid") String guid, @QueryParam("sourceKey") List<String> sourceKeys,
            @QueryParam("sender") String sender, @QueryParam("recipient") String recipient, @QueryParam("subject") String subject,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("folder") String folder,
            @QueryParam("subfolders") String subfolders, @QueryParam("deleted") String deleted, @QueryParam("asOf") String asOf) {
        List<String> keys = new ArrayList<>();
        for (String k : sourceKeys == null ? List.<String>of() : sourceKeys) {
            keys.addAll(Arrays.stream(k.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList());
        }
        return export(new ExportRequest(guid, keys, sender, recipient, subject, from, to, folder,
                present(subfolders) ? bool("subfolders", subfolders) : null, deleted, asOf), "guid");
    }

    Response export(ExportRequest r, String storeField) {
        byte[] store = guid(storeField, r.storeGuid());
        access.requireStore(store);
        Instant asOf = instant("asOf", r.asOf());
        boolean byKeys = r.sourceKeys() != null && !r.sourceKeys().isEmpty();
        boolean byFilter = present(r.sender()) || present(r.recipient()) || present(r.subject()) || present(r.from()) || present(r.to())
                || present(r.folder()) || present(r.deleted());
        if (byKeys && byFilter) {
            throw new InvalidParameterException("sourceKeys", "give either sourceKeys or filters, not both");
        }
        Iterator<ExportService.Selected> selection;
        if (byKeys) {
            if (r.sourceKeys().size() > MAX_SOURCE_KEYS) {
                throw new InvalidParameterException("sourceKeys", "at most " + MAX_SOURCE_KEYS + " per request, got " + r.sourceKeys().size()
                        + "; select larger sets with filters");
            }
            // Resolved before anything is sent: an unknown item is a 404, not a broken download.
            List<ExportService.Selected> all = new ArrayList<>(r.sourceKeys().size());
            for (String k : r.sourceKeys()) {
                all.add(exports.select(store, sourceKey("sourceKeys", k), asOf, null));
            }
            selection = all.iterator();
        } else if (byFilter) {
            selection = exports.search(query(store, r, asOf));
        } else {
            throw new InvalidParameterException("sourceKeys", "select items: sourceKeys, or at least one filter (sender, recipient, subject, from, to,"
                    + " folder, deleted)");
        }
        // The first message is read (and its blobs verified) before the answer starts, so a bad first item is a clean
        // error; later ones abort the stream.
        byte[] first;
        ExportService.Selected firstItem = selection.hasNext() ? selection.next() : null;
        if (firstItem != null) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try {
                exports.mboxEntry(firstItem, buf);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            first = buf.toByteArray();
        } else {
            first = new byte[0];
        }
        Iterator<ExportService.Selected> rest = selection;
        StreamingOutput body = out -> {
            out.write(first);
            int n = firstItem == null ? 0 : 1;
            while (rest.hasNext()) {
                ExportService.Selected s = rest.next();
                try {
                    exports.mboxEntry(s, out);
                } catch (ExportBlobException e) {
                    LOG.errorf("mbox export of store %s aborted after %d messages: %s", Hex.encode(store), n, e.getMessage());
                    throw new IOException("export aborted: " + e.getMessage(), e);
                }
                n++;
            }
            out.flush();
        };
        return Response.ok(body, MBOX).header("Content-Disposition", "attachment; filename=\"" + Hex.encode(store) + ".mbox\"").build();
    }

    private static ItemQuery query(byte[] store, ExportRequest r, Instant asOf) {
        Instant from = instant("from", r.from());
        Instant to = instant("to", r.to());
        if (from != null && to != null && from.isAfter(to)) {
            throw new InvalidParameterException("from", "must not be after 'to' (" + from + " > " + to + ")");
        }
        byte[] folder = present(r.folder()) ? sourceKey("folder", r.folder()) : null;
        boolean subfolders = Boolean.TRUE.equals(r.subfolders());
        if (subfolders && folder == null) {
            throw new InvalidParameterException("subfolders", "needs 'folder'");
        }
        DeletedFilter deleted = DeletedFilter.INCLUDE;
        if (present(r.deleted())) {
            try {
                deleted = DeletedFilter.valueOf(r.deleted().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidParameterException("deleted", "expected include, exclude or only, got '" + r.deleted() + "'");
            }
        }
        List<String> words = present(r.subject()) ? Arrays.stream(r.subject().trim().split("\\s+")).toList() : null;
        return new ItemQuery(store, present(r.sender()) ? r.sender().trim() : null, present(r.recipient()) ? r.recipient().trim() : null, words,
                from, to, folder, subfolders, deleted, ExportService.PAGE, null, asOf);
    }

    static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    static byte[] guid(String name, String value) {
        String v = value == null ? "" : value.trim();
        if (v.length() != 32 || !hex(v)) {
            throw new InvalidParameterException(name, "expected a store GUID of 32 hex digits, got '" + shorten(value) + "'");
        }
        return Hex.decode(v.toLowerCase(Locale.ROOT));
    }

    static byte[] sourceKey(String name, String value) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty() || v.length() % 2 != 0 || v.length() > 510 || !hex(v)) {
            throw new InvalidParameterException(name, "expected a sourcekey as an even number of hex digits, got '" + shorten(value) + "'");
        }
        return Hex.decode(v.toLowerCase(Locale.ROOT));
    }

    static Instant instant(String name, String value) {
        if (!present(value)) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(value.trim()).toInstant();
            } catch (DateTimeParseException e2) {
                throw new InvalidParameterException(name, "expected an ISO-8601 instant such as 2024-05-01T00:00:00Z, got '" + shorten(value) + "'");
            }
        }
    }

    private static boolean bool(String name, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw new InvalidParameterException(name, "expected true or false, got '" + shorten(value) + "'");
    }

    private static boolean hex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String shorten(String v) {
        return v == null ? "" : v.length() > 80 ? v.substring(0, 80) + "…" : v;
    }
}
