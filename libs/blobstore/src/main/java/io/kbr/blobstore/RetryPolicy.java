package io.kbr.blobstore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Repeats an S3 request after a transient failure, with exponential backoff and jitter. Transient:
 * transport errors (refused or reset connections, timeouts), 5xx answers, throttling (503 SlowDown,
 * 429) and request timeouts (408). Everything else — 403, 404, other 4xx — is final and fails at once.
 */
final class RetryPolicy {

    /** Waits between attempts; tests replace it to run without sleeping. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** One S3 request. */
    interface Call<T> {
        T run() throws IOException;
    }

    /** Error codes that mean "try again later" whatever the status says. */
    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "RequestLimitExceeded", "RequestTimeout", "InternalError", "ServiceUnavailable", "OperationAborted");

    static final Duration MAX_DELAY = Duration.ofSeconds(20);

    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final RandomGenerator random;
    private final Sleeper sleeper;
    private final Runnable onRetry;

    RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, RandomGenerator random, Sleeper sleeper,
            Runnable onRetry) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        this.maxAttempts = maxAttempts;
        this.baseDelay = Objects.requireNonNull(baseDelay);
        this.maxDelay = Objects.requireNonNull(maxDelay);
        this.random = Objects.requireNonNull(random);
        this.sleeper = Objects.requireNonNull(sleeper);
        this.onRetry = Objects.requireNonNull(onRetry);
    }

    static RetryPolicy of(int maxAttempts, Duration baseDelay, Runnable onRetry) {
        return new RetryPolicy(maxAttempts, baseDelay, MAX_DELAY, RandomGenerator.getDefault(),
                duration -> Thread.sleep(duration.toMillis()), onRetry);
    }

    int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Runs the call until it succeeds, fails finally, or has failed transiently {@code maxAttempts} times.
     *
     * @throws RetriesExhaustedException after the last transient failure (the cause)
     * @throws IOException               the first final failure, unchanged
     */
    <T> T call(Call<T> call) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (IOException e) {
                if (!isTransient(e)) {
                    throw e;
                }
                if (attempt >= maxAttempts) {
                    throw new RetriesExhaustedException(attempt, e);
                }
                pause(attempt);
            }
        }
    }

    /** Counts a retry and waits before attempt {@code failedAttempts + 1}. */
    void pause(int failedAttempts) throws InterruptedIOException {
        onRetry.run();
        try {
            sleeper.sleep(delayAfter(failedAttempts));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting to retry an S3 request");
        }
    }

    /**
     * The wait after the n-th failed attempt: half of {@code base × 2^(n-1)} (capped) plus a random
     * part of up to the other half, so clients that failed together do not retry together.
     */
    Duration delayAfter(int failedAttempts) {
        long base = baseDelay.toMillis();
        long cap = maxDelay.toMillis();
        long exponential = failedAttempts >= 31 ? cap : Math.min(cap, base << Math.max(0, failedAttempts - 1));
        long half = exponential / 2;
        long jitter = half == 0 ? 0 : random.nextLong(exponential - half + 1);
        return Duration.ofMillis(half + jitter);
    }

    static boolean isTransient(Throwable failure) {
        if (failure instanceof RetriesExhaustedException) {
            return false;
        }
        if (failure instanceof S3RequestException s3) {
            int status = s3.status();
            return status >= 500 || status == 408 || status == 429
                    || (s3.code() != null && TRANSIENT_CODES.contains(s3.code()));
        }
        if (failure instanceof SocketTimeoutException) {
            return true;
        }
        if (failure instanceof InterruptedIOException) {
            return false; // someone wants this thread to stop
        }
        if (failure instanceof SSLHandshakeException || failure instanceof SSLPeerUnverifiedException) {
            return false; // certificate problems do not go away by asking again
        }
        return failure instanceof IOException;
    }
}
