package io.kbr.catalog.model;

/** What happened to one event of a batch: an outcome, or the failure that makes it a dead letter. */
public record ApplyResult(ApplyOutcome outcome, RuntimeException failure) {

    public static ApplyResult of(ApplyOutcome outcome) {
        return new ApplyResult(outcome, null);
    }

    public static ApplyResult failed(RuntimeException failure) {
        return new ApplyResult(null, failure);
    }

    public boolean isFailure() {
        return failure != null;
    }
}
