package io.kbr.dump;

/** Hooks into a running dump: progress for people, and the snapshot moment for tests that must pin it down. */
public interface DumpListener {

    DumpListener NONE = new DumpListener() {
    };

    /** Called just before {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} is sent. */
    default void snapshotOpening() {
    }

    /** Called as soon as the snapshot transaction is open, before any row is read. */
    default void snapshotOpened() {
    }

    /** A numbered step of the dump ("step 3 of 6: rows of properties"). */
    default void step(String description) {
    }
}
