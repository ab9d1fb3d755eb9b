package io.kbr.catalog.rest;

/**
 * The body of every error answer: a short machine-readable {@code error} code and a {@code detail} a person
 * can act on. Never a stack trace.
 */
public record ErrorResponse(String error, String detail) {
}
