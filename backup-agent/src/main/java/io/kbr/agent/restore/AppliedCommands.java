package io.kbr.agent.restore;

/**
 * Remembers which restore commands were applied, so a redelivered command (same deterministic id) is answered
 * from memory instead of being applied again (KEEP_BOTH would otherwise copy twice).
 */
public interface AppliedCommands {
    boolean applied(String commandId);

    void remember(String commandId);
}
