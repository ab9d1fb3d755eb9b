package io.kbr.catalog.restores;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbr.catalog.service.InvalidParameterException;
import io.kbr.events.schema.RestoreConflictMode;
import io.kbr.events.schema.RestoreEvent;
import io.kbr.events.schema.RestoreEventKind;
import io.kbr.events.schema.RestorePeriodField;
import io.kbr.events.schema.RestoreRequest;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestoreValidatorTest {
    static final String STORE = "00112233445566778899AABBCCDDEEFF";
    static final Instant NOW = Instant.parse("2026-11-28T06:00:00Z");

    static RestoreRequestBody.Selection keys(String... keys) {
        return new RestoreRequestBody.Selection(STORE, List.of(keys), null, null, null, null, null, null, null);
    }

    static String field(RestoreRequestBody body) {
        try {
            RestoreValidator.validate(body, "job", NOW, "server-a");
        } catch (InvalidParameterException e) {
            assertThat(e.getMessage()).startsWith("Parameter '" + e.parameter() + "'");
            return e.parameter();
        }
        throw new AssertionError("accepted: " + body);
    }

    @Test
    void sourceKeysWithDefaults() {
        RestoreRequest r = RestoreValidator.validate(new RestoreRequestBody(keys("ab01", "CD02"), null, null, null, null),
                "job-1", NOW, "server-a");
        assertThat(r.getJobId().toString()).isEqualTo("job-1");
        assertThat(r.getSourceKeys()).extracting(Object::toString).containsExactly("AB01", "CD02");
        assertThat(r.getTargetServerId().toString()).isEqualTo("server-a");
        assertThat(r.getTargetStoreGuid().toString()).isEqualTo(STORE);
        assertThat(r.getConflictMode()).isEqualTo(RestoreConflictMode.SKIP);
        assertThat(r.getAsOfMillis()).isNull();
        assertThat(r.getRestoreRoot()).isNull();
        assertThat(r.getIncludeMetadata()).isFalse();
    }

    @Test
    void filterWithPeriodTargetAndRoot() {
        var sel = new RestoreRequestBody.Selection(STORE.toLowerCase(), null, "alice@example.com", null, List.of("budget"),
                new RestoreRequestBody.Period("last_modified", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
                "0a0b", true, false);
        var target = new RestoreRequestBody.Target("server-b", "FFEEDDCCBBAA99887766554433221100", "/Restored/2024/");
        RestoreRequest r = RestoreValidator.validate(new RestoreRequestBody(sel, "2025-06-01T00:00:00Z", target, "keep_both", true),
                "job-2", NOW, "server-a");
        assertThat(r.getStoreGuid().toString()).isEqualTo(STORE);
        assertThat(r.getSender().toString()).isEqualTo("alice@example.com");
        assertThat(r.getPeriodField()).isEqualTo(RestorePeriodField.LAST_MODIFIED);
        assertThat(r.getPeriodFromMillis()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z").toEpochMilli());
        assertThat(r.getPeriodToMillis()).isEqualTo(Instant.parse("2024-02-01T00:00:00Z").toEpochMilli());
        assertThat(r.getFolderSourceKey().toString()).isEqualTo("0A0B");
        assertThat(r.getIncludeSubfolders()).isTrue();
        assertThat(r.getAsOfMillis()).isEqualTo(Instant.parse("2025-06-01T00:00:00Z").toEpochMilli());
        assertThat(r.getTargetServerId().toString()).isEqualTo("server-b");
        assertThat(r.getRestoreRoot().toString()).isEqualTo("Restored/2024");
        assertThat(r.getConflictMode()).isEqualTo(RestoreConflictMode.KEEP_BOTH);
        assertThat(r.getIncludeMetadata()).isTrue();
    }

    @Test
    void everyBadFieldIsNamed() {
        assertThat(field(null)).isEqualTo("body");
        assertThat(field(new RestoreRequestBody(null, null, null, null, null))).isEqualTo("selection");
        assertThat(field(new RestoreRequestBody(new RestoreRequestBody.Selection(null, List.of("ab"), null, null, null, null, null, null, null),
                null, null, null, null))).isEqualTo("selection.storeGuid");
        assertThat(field(new RestoreRequestBody(new RestoreRequestBody.Selection("xyz", List.of("ab"), null, null, null, null, null, null, null),
                null, null, null, null))).isEqualTo("selection.storeGuid");
        assertThat(field(new RestoreRequestBody(keys("ab", "zz"), null, null, null, null))).isEqualTo("selection.sourceKeys[1]");
        assertThat(field(new RestoreRequestBody(keys("abc"), null, null, null, null))).isEqualTo("selection.sourceKeys[0]");
        assertThat(field(new RestoreRequestBody(new RestoreRequestBody.Selection(STORE, List.of(), null, null, null, null, null, null, null),
                null, null, null, null))).isEqualTo("selection");
        assertThat(field(new RestoreRequestBody(new RestoreRequestBody.Selection(STORE, List.of("ab"), "a@b", null, null, null, null, null, null),
                null, null, null, null))).isEqualTo("selection.sourceKeys");
        assertThat(field(new RestoreRequestBody(new RestoreRequestBody.Selection(STORE, null, " ", null, null, null, null, null, null),
                null, null, null, null))).isEqualTo("selection.sender");
        assertThat(field(withPeriod(new RestoreRequestBody.Period(null, "2024-01-01T00:00:00Z", null)))).isEqualTo("selection.period.field");
        assertThat(field(withPeriod(new RestoreRequestBody.Period("received", "2024-01-01T00:00:00Z", null)))).isEqualTo("selection.period.field");
        assertThat(field(withPeriod(new RestoreRequestBody.Period("DELIVERY_TIME", "yesterday", null)))).isEqualTo("selection.period.from");
        assertThat(field(withPeriod(new RestoreRequestBody.Period("DELIVERY_TIME", null, null)))).isEqualTo("selection.period");
        assertThat(field(withPeriod(new RestoreRequestBody.Period("DELIVERY_TIME", "2024-02-01T00:00:00Z", "2024-01-01T00:00:00Z"))))
                .isEqualTo("selection.period.to");
        assertThat(field(new RestoreRequestBody(new RestoreRequestBody.Selection(STORE, null, "a@b", null, null, null, null, true, null),
                null, null, null, null))).isEqualTo("selection.includeSubfolders");
        assertThat(field(new RestoreRequestBody(keys("ab"), "2030-01-01T00:00:00Z", null, null, null))).isEqualTo("asOf");
        assertThat(field(new RestoreRequestBody(keys("ab"), "now", null, null, null))).isEqualTo("asOf");
        assertThat(field(new RestoreRequestBody(keys("ab"), null, new RestoreRequestBody.Target(null, "12", null), null, null)))
                .isEqualTo("target.storeGuid");
        assertThat(field(new RestoreRequestBody(keys("ab"), null, new RestoreRequestBody.Target(null, null, "//"), null, null)))
                .isEqualTo("target.restoreRoot");
        assertThat(field(new RestoreRequestBody(keys("ab"), null, new RestoreRequestBody.Target(null, null, "a//b"), null, null)))
                .isEqualTo("target.restoreRoot");
        assertThat(field(new RestoreRequestBody(keys("ab"), null, null, "MERGE", null))).isEqualTo("conflictMode");
    }

    private static RestoreRequestBody withPeriod(RestoreRequestBody.Period p) {
        return new RestoreRequestBody(new RestoreRequestBody.Selection(STORE, null, null, null, null, p, null, null, null),
                null, null, null, null);
    }

    @Test
    void stateMachine() {
        RestoreEvent.Builder e = RestoreEvent.newBuilder().setEventId("e").setJobId("j").setAtMillis(1);
        assertThat(RestoreJobState.next("ACCEPTED", e.setKind(RestoreEventKind.RESOLVING).build(), 0)).isEqualTo("RESOLVING");
        assertThat(RestoreJobState.next("RUNNING", e.setKind(RestoreEventKind.RESOLVING).build(), 0)).isEqualTo("RUNNING");
        assertThat(RestoreJobState.next("RESOLVING", e.setKind(RestoreEventKind.RESOLVED).build(), 0)).isEqualTo("RUNNING");
        assertThat(RestoreJobState.next("RUNNING", e.setKind(RestoreEventKind.FINISHED).build(), 0)).isEqualTo("DONE");
        assertThat(RestoreJobState.next("RUNNING", e.setKind(RestoreEventKind.FINISHED).build(), 2)).isEqualTo("DONE_WITH_FAILURES");
        assertThat(RestoreJobState.next("RUNNING", e.setKind(RestoreEventKind.FAILED).build(), 0)).isEqualTo("FAILED");
        assertThat(RestoreJobState.next("DONE", e.setKind(RestoreEventKind.ITEM).build(), 0)).isEqualTo("DONE");
        assertThat(RestoreJobState.next("FAILED", e.setKind(RestoreEventKind.FINISHED).build(), 0)).isEqualTo("FAILED");
    }

    @Test
    void metadataOnlyTakesTheStoreAloneAndImpliesIncludeMetadata() {
        RestoreRequestBody.Selection storeOnly = new RestoreRequestBody.Selection(STORE, null, null, null, null, null, null, null, null);
        RestoreRequest r = RestoreValidator.validate(new RestoreRequestBody(storeOnly, null, null, null, null, true), "job-m",
                java.time.Instant.parse("2026-01-01T00:00:00Z"), "kopano-a");
        assertThat(r.getMetadataOnly()).isTrue();
        assertThat(r.getIncludeMetadata()).isTrue();
        assertThat(r.getSourceKeys()).isEmpty();
        assertThat(field(new RestoreRequestBody(keys("ab01"), null, null, null, null, true))).isEqualTo("metadataOnly");
        assertThat(field(new RestoreRequestBody(storeOnly, null, null, null, false, true))).isEqualTo("includeMetadata");
        assertThat(field(new RestoreRequestBody(storeOnly, null, null, null, true, null))).isEqualTo("selection");
    }
}
