package io.kbr.catalog.restores;

import io.kbr.events.schema.RestoreEvent;

/** The job state machine driven by kbr.restore.events; terminal states never move back. */
public final class RestoreJobState {
    public static final String ACCEPTED = "ACCEPTED";
    public static final String RESOLVING = "RESOLVING";
    public static final String RUNNING = "RUNNING";
    public static final String DONE = "DONE";
    public static final String DONE_WITH_FAILURES = "DONE_WITH_FAILURES";
    public static final String FAILED = "FAILED";

    private RestoreJobState() {
    }

    public static boolean terminal(String state) {
        return DONE.equals(state) || DONE_WITH_FAILURES.equals(state) || FAILED.equals(state);
    }

    /** The state after {@code event}, given the current state and how many items have failed so far. */
    public static String next(String current, RestoreEvent event, int failedItems) {
        if (terminal(current)) {
            return current;
        }
        return switch (event.getKind()) {
            case RESOLVING -> ACCEPTED.equals(current) ? RESOLVING : current;
            case RESOLVED, ITEM -> RUNNING;
            case FINISHED -> failedItems > 0 ? DONE_WITH_FAILURES : DONE;
            case FAILED -> FAILED;
        };
    }
}
