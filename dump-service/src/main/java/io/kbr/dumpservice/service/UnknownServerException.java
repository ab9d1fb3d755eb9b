package io.kbr.dumpservice.service;

import java.util.Set;

/** A request named a server the service is not configured for. */
public class UnknownServerException extends RuntimeException {
    public UnknownServerException(String server, Set<String> known) {
        super("server " + server + " is not configured; configured servers: " + known);
    }
}
