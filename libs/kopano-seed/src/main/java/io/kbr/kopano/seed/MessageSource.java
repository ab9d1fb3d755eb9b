package io.kbr.kopano.seed;

import java.io.IOException;

/**
 * Where messages to seed come from: the built-in corpora, a directory of .eml files or an mbox file. Sources
 * stream their messages so that large mbox files need not fit in memory.
 */
@FunctionalInterface
public interface MessageSource {

    /** Receives the messages of a source, one at a time. */
    @FunctionalInterface
    interface Sink {
        void accept(NamedMessage message) throws Exception;

        /** A single input (e.g. one file) could not be read; the source goes on with the next. */
        default void unreadable(String name, String reason) throws Exception {
        }
    }

    /** Hands every message to {@code sink}, in a deterministic order. */
    void forEach(Sink sink) throws Exception;

    /** A short description for logs ("built-in corpora", "mbox /path/x.mbox"). */
    default String describe() {
        return getClass().getSimpleName();
    }

    /** A source over messages already in memory. */
    static MessageSource of(String description, Iterable<NamedMessage> messages) {
        return new MessageSource() {
            @Override
            public void forEach(Sink sink) throws Exception {
                for (NamedMessage m : messages) {
                    sink.accept(m);
                }
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }

    /** Thrown by sources when their input cannot be read at all. */
    final class SourceException extends IOException {
        public SourceException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
