package io.kbr.cli;

/** The exit codes of every verb (also listed in {@code kbr --help} and docs/cli.md). */
final class ExitCodes {
    /** Done as asked. */
    static final int OK = 0;
    /** The job ran but did not fully succeed (e.g. some items failed, a scrub found problems). */
    static final int FAILURE = 1;
    /** Wrong command-line usage (picocli's convention). */
    static final int USAGE = 2;
    /** The catalog rejected the request as invalid (HTTP 4xx), e.g. an unknown store. */
    static final int REJECTED = 3;
    /** The catalog could not be reached. */
    static final int UNREACHABLE = 4;
    /** The catalog failed (HTTP 5xx) or answered nonsense. */
    static final int SERVER_ERROR = 5;
    /** Not authenticated or not allowed (HTTP 401/403). */
    static final int DENIED = 6;

    static final String HELP = """
            Exit codes: 0 done; 1 the job ran but not everything succeeded; 2 wrong usage; 3 the catalog rejected
            the request (4xx); 4 the catalog is unreachable; 5 the catalog failed (5xx); 6 not authenticated or
            not allowed (401/403).""";

    private ExitCodes() {
    }
}
