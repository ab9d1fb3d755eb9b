package io.kbr.auth;

/** The two roles kbr knows, carried in the token's {@code groups} claim. */
public final class Roles {
    /** May see and restore only the stores whose Kopano user name is the token's {@code upn}. */
    public static final String USER = "user";
    /** May see and restore everything, run dumps, disaster recovery, purge, gc and scrubs. */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
