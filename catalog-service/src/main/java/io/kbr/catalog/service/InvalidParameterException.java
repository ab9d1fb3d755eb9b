package io.kbr.catalog.service;

/** A request parameter that cannot be used; the message names the parameter. */
public class InvalidParameterException extends RuntimeException {
    private final String parameter;

    public InvalidParameterException(String parameter, String problem) {
        super("Parameter '" + parameter + "': " + problem);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
