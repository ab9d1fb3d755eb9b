package io.kbr.events;

/** Kafka topic names (ARCHITECTURE.md, Events). */
public final class Topics {
    public static final String CHANGES = "kbr.changes";
    public static final String RESTORE_REQUESTS = "kbr.restore.requests";
    public static final String RESTORE_COMMANDS = "kbr.restore.commands";
    public static final String RESTORE_EVENTS = "kbr.restore.events";
    public static final String DUMPS = "kbr.dumps";
    public static final String AGENT_CHECKPOINTS = "kbr.agent.checkpoints";

    private Topics() {
    }

    /** The dead-letter topic of {@code topic}: unprocessable messages with the error attached. */
    public static String deadLetter(String topic) {
        return topic + ".dlq";
    }
}
